package fsim

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Options configure a Sim. The zero value is a usable simulator on
// 127.0.0.1 with a random port, password ClueCon and the real clock.
type Options struct {
	// Addr is the inbound listen address (default "127.0.0.1:0": a free
	// port; Addr() says which).
	Addr string
	// Password is what "auth" must send (default "ClueCon").
	Password string
	// Clock drives every timer; nil means the real clock. Use
	// NewManualClock and Sim.Advance in tests.
	Clock Clock
	// Hostname, Switchname, IPv4 and IPv6 fill the standard event headers
	// (defaults: the host name, the host name, 127.0.0.1, ::1).
	Hostname, Switchname, IPv4, IPv6 string
	// Version is the FreeSWITCH version reported (default "1.11.3-dev",
	// the version the captures came from).
	Version string
	// CoreUUID is the Core-UUID of every event (default: random).
	CoreUUID string
	// Location is the time zone of Event-Date-Local (default time.Local).
	Location *time.Location
	// ACL lists the CIDR blocks (or single addresses) allowed to connect
	// inbound; empty allows everyone. Refused peers get FreeSWITCH's
	// text/rude-rejection and a disconnect notice.
	ACL []string
	// SocketAddr, when set, replaces the host:port of every "socket"
	// application, so tests can point the default dialplan's 7777/7778 at
	// a server listening on 127.0.0.1:0.
	SocketAddr string
	// Dialplan replaces the default dialplan (DefaultDialplan).
	Dialplan *Dialplan
	// FileDuration is how long "playback" of a file (anything that is not
	// a tone_stream:// or silence_stream://) lasts (default 1s).
	FileDuration time.Duration
	// HeartbeatInterval is the HEARTBEAT period (default 20s, as
	// FreeSWITCH's event-heartbeat-interval); negative disables it.
	HeartbeatInterval time.Duration
	// MaxSessions is reported by status and HEARTBEAT (default 1000).
	MaxSessions int
	// QueueLimit is the per-connection event queue capacity (default
	// 100000, as mod_event_socket's MAX_QUEUE_LEN).
	QueueLimit int
	// Users is the directory for "userauth user@domain:password", keyed by
	// "user@domain".
	Users map[string]User
	// Logger receives the simulator's own diagnostics (default: discard).
	Logger *slog.Logger
}

// Sim is a simulated FreeSWITCH: an event socket server, a core that fires
// events, and channels that run a dialplan. All methods are safe for
// concurrent use.
type Sim struct {
	opts     Options
	clock    Clock
	manual   *ManualClock
	loc      *time.Location
	coreUUID string
	started  time.Time
	log      *slog.Logger

	seq   atomic.Uint64
	dateC atomic.Pointer[dateCache]

	ln      net.Listener
	closing chan struct{}
	closeMu sync.Once
	wg      sync.WaitGroup

	// dispatchMu orders event delivery: events reach every listener in
	// firing order, as with FreeSWITCH's single dispatch thread.
	dispatchMu sync.Mutex
	listeners  atomic.Pointer[[]*listener]
	lmu        sync.Mutex // guards changes to listeners

	mu       sync.Mutex
	channels map[string]*channel
	order    []*channel // creation order, for show channels
	globals  *varList
	dialplan *Dialplan
	hooks    hooks
	onConn   func(*listener) // tests: sees every connection as it is made
	sessions uint64          // since startup
	peak     int
	conns    map[*listener]struct{} // every open connection, for Close

	sched     scheduler
	advanceMu sync.Mutex
	acl       []netip.Prefix
	hb        Timer
}

// New returns a simulator configured by opts. It does not listen until
// Start.
func New(opts Options) *Sim {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.Password == "" {
		opts.Password = "ClueCon"
	}
	if opts.Hostname == "" {
		opts.Hostname, _ = os.Hostname()
		if opts.Hostname == "" {
			opts.Hostname = "fsim"
		}
	}
	if opts.Switchname == "" {
		opts.Switchname = opts.Hostname
	}
	if opts.IPv4 == "" {
		opts.IPv4 = "127.0.0.1"
	}
	if opts.IPv6 == "" {
		opts.IPv6 = "::1"
	}
	if opts.Version == "" {
		opts.Version = "1.11.3-dev"
	}
	if opts.FileDuration <= 0 {
		opts.FileDuration = time.Second
	}
	if opts.HeartbeatInterval == 0 {
		opts.HeartbeatInterval = 20 * time.Second
	}
	if opts.MaxSessions <= 0 {
		opts.MaxSessions = 1000
	}
	if opts.QueueLimit <= 0 {
		opts.QueueLimit = 100000
	}
	s := &Sim{opts: opts, closing: make(chan struct{}), channels: map[string]*channel{}}
	s.clock = opts.Clock
	if s.clock == nil {
		s.clock = RealClock{}
	}
	s.manual, _ = s.clock.(*ManualClock)
	s.loc = opts.Location
	if s.loc == nil {
		s.loc = time.Local
	}
	s.coreUUID = opts.CoreUUID
	if s.coreUUID == "" {
		s.coreUUID = newUUID()
	}
	s.log = opts.Logger
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.dialplan = opts.Dialplan
	if s.dialplan == nil {
		s.dialplan = DefaultDialplan()
	}
	s.globals = newVarList()
	s.globals.set("hostname", opts.Hostname)
	s.globals.set("domain", opts.IPv4)
	s.globals.set("local_ip_v4", opts.IPv4)
	s.globals.set("local_ip_v6", opts.IPv6)
	s.globals.set("switch_serial", "")
	s.listeners.Store(&[]*listener{})
	s.sched.cond = sync.NewCond(&s.sched.mu)
	for _, a := range opts.ACL {
		if p, err := netip.ParsePrefix(strings.TrimSpace(a)); err == nil {
			s.acl = append(s.acl, p)
		} else if ip, err := netip.ParseAddr(strings.TrimSpace(a)); err == nil {
			s.acl = append(s.acl, netip.PrefixFrom(ip, ip.BitLen()))
		} else {
			// An unparsable entry allows nothing, so a typo fails closed.
			s.acl = append(s.acl, netip.Prefix{})
		}
	}
	return s
}

// ErrStarted is returned by Start on a simulator that already started.
var ErrStarted = errors.New("fsim: already started")

// Start listens on Options.Addr, fires the start-up events (MODULE_LOAD for
// the simulated modules, the first HEARTBEAT) and serves connections until
// Close.
func (s *Sim) Start() error {
	if s.ln != nil {
		return ErrStarted
	}
	ln, err := net.Listen("tcp", s.opts.Addr)
	if err != nil {
		return fmt.Errorf("fsim: listen: %w", err)
	}
	s.ln = ln
	s.started = s.clock.Now()
	s.fireStartup()
	s.wg.Add(1)
	go s.acceptLoop()
	return nil
}

// Addr returns the address the inbound listener is bound to ("" before
// Start).
func (s *Sim) Addr() string {
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Password returns the password "auth" expects.
func (s *Sim) Password() string { return s.opts.Password }

// CoreUUID returns the Core-UUID the simulator puts in every event.
func (s *Sim) CoreUUID() string { return s.coreUUID }

// closeGrace bounds each phase of Close: how long connections get to take
// their final notice, and how long Close then waits for what is left.
const closeGrace = 2 * time.Second

// ErrCloseTimeout is returned by Close when some simulator goroutines were
// still running after every channel was hung up and every connection was
// closed (a simulator bug; the error names what was left).
var ErrCloseTimeout = errors.New("fsim: close timed out")

// Close stops listening, hangs up every channel, tells every connection
// "The system is being shut down." and waits for all of its goroutines.
// It always returns: a connection whose peer does not read gets
// closeGrace to take its notice, and anything still running after that is
// forced down and reported as ErrCloseTimeout.
func (s *Sim) Close() error {
	s.closeMu.Do(func() {
		s.mu.Lock()
		close(s.closing)
		s.mu.Unlock()
		if s.ln != nil {
			s.ln.Close()
		}
		s.mu.Lock()
		if s.hb != nil {
			s.hb.Stop()
		}
		s.mu.Unlock()
		s.hangupAll("SYSTEM_SHUTDOWN")
		for _, l := range s.openConns() {
			l.kill(noticeShutdown)
			l.nc.SetWriteDeadline(time.Now().Add(closeGrace))
		}
		s.sched.shutdown()
	})
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	t := time.NewTimer(closeGrace)
	defer t.Stop()
	select {
	case <-done:
		return nil
	case <-t.C:
	}
	// Something outlived the first pass (a channel or connection made
	// while closing, a peer that does not read): end it all at once.
	s.hangupAll("SYSTEM_SHUTDOWN")
	for _, l := range s.openConns() {
		l.kill(noticeShutdown)
		l.nc.Close()
	}
	t.Reset(closeGrace)
	select {
	case <-done:
		return nil
	case <-t.C:
	}
	var left []string
	for _, c := range s.liveChannels() {
		c.mu.Lock()
		left = append(left, c.name+" "+c.id+" "+c.running.String())
		c.mu.Unlock()
	}
	s.log.Error("fsim: close timed out", "channels", left)
	return fmt.Errorf("%w: channels left: %s", ErrCloseTimeout, strings.Join(left, ", "))
}

// trackConn records an open connection for Close; a connection opened
// while closing is told to go at once.
func (s *Sim) trackConn(l *listener) {
	s.mu.Lock()
	if s.conns == nil {
		s.conns = map[*listener]struct{}{}
	}
	s.conns[l] = struct{}{}
	s.mu.Unlock()
	select {
	case <-s.closing:
		l.kill(noticeShutdown)
	default:
	}
}

func (s *Sim) forgetConn(l *listener) {
	s.mu.Lock()
	delete(s.conns, l)
	s.mu.Unlock()
}

func (s *Sim) openConns() []*listener {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*listener, 0, len(s.conns))
	for l := range s.conns {
		out = append(out, l)
	}
	return out
}

// Run starts a simulator for a test and closes it when the test ends. It
// fails the test if the simulator cannot start.
func Run(t testing.TB, opts ...Options) *Sim {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	s := New(o)
	if err := s.Start(); err != nil {
		t.Fatalf("fsim: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func (s *Sim) acceptLoop() {
	defer s.wg.Done()
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			select {
			case <-s.closing:
				return
			default:
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			s.log.Warn("fsim: accept", "err", err)
			return
		}
		l := s.newListener(nc, nil)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer s.forgetConn(l)
			l.serveInbound()
		}()
	}
}

// allowed applies the ACL to a peer address.
func (s *Sim) allowed(addr net.Addr) bool {
	if len(s.acl) == 0 {
		return true
	}
	ta, ok := addr.(*net.TCPAddr)
	if !ok {
		return false
	}
	ip, ok := netip.AddrFromSlice(ta.IP)
	if !ok {
		return false
	}
	ip = ip.Unmap()
	for _, p := range s.acl {
		if p.IsValid() && p.Contains(ip) {
			return true
		}
	}
	return false
}

// addListener and removeListener keep a copy-on-write slice so that firing
// an event takes no lock besides the dispatch order lock.
func (s *Sim) addListener(l *listener) {
	s.lmu.Lock()
	old := *s.listeners.Load()
	n := make([]*listener, len(old), len(old)+1)
	copy(n, old)
	n = append(n, l)
	s.listeners.Store(&n)
	s.lmu.Unlock()
}

func (s *Sim) removeListener(l *listener) {
	s.lmu.Lock()
	old := *s.listeners.Load()
	n := make([]*listener, 0, len(old))
	for _, x := range old {
		if x != l {
			n = append(n, x)
		}
	}
	s.listeners.Store(&n)
	s.lmu.Unlock()
}

// fire delivers e to every listener whose subscription, filters and
// myevents restriction admit it, and to in-process observers.
func (s *Sim) fire(e *event) {
	if e.subclass != "" && (len(e.headers) == 0 || e.headers[0].Name != "Event-Subclass") {
		moveSubclassFirst(e)
	}
	e.hold() // until every listener had its chance to queue it
	s.dispatchMu.Lock()
	for _, l := range *s.listeners.Load() {
		l.offer(e)
	}
	obs := s.hooks.observers
	s.dispatchMu.Unlock()
	for _, f := range obs {
		f(e)
	}
	e.release()
}

// moveSubclassFirst does what a listener's switch_event_dup does: the copy
// starts with Event-Subclass.
func moveSubclassFirst(e *event) {
	for i := range e.headers {
		if e.headers[i].Name == "Event-Subclass" {
			h := e.headers[i]
			copy(e.headers[1:i+1], e.headers[:i])
			e.headers[0] = h
			return
		}
	}
	h := e.headers
	e.headers = append(h[:0:0], append([]wireHeader{{Name: "Event-Subclass", Value: e.subclass}}, h...)...)
}

// newUUID returns a random version 4 UUID in FreeSWITCH's lowercase form.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}
