package esl

import (
	"context"
	"log/slog"
	"net"
	"time"

	"github.com/eslkit/esl/internal/wire"
)

// ContextDialer makes network connections; *net.Dialer is one, and so is
// anything that tunnels (SSH, a proxy).
type ContextDialer interface {
	// DialContext connects to address on network, giving up when ctx ends.
	DialContext(ctx context.Context, network, address string) (net.Conn, error)
}

// EventFormat is the serialisation FreeSWITCH uses for the events it
// sends on a connection.
type EventFormat string

// The three event formats of the event command.
const (
	FormatPlain EventFormat = "plain" // text/event-plain: URL-encoded headers (FreeSWITCH's default)
	FormatJSON  EventFormat = "json"  // text/event-json: one JSON object
	FormatXML   EventFormat = "xml"   // text/event-xml: an <event> document
)

// Defaults for Dial.
const (
	DefaultPassword     = "ClueCon"              // event_socket.conf.xml's shipped password
	DefaultDialTimeout  = 10 * time.Second       // connect and authenticate, per attempt
	DefaultWriteTimeout = 30 * time.Second       // one flush of queued commands
	DefaultBackoffMin   = 100 * time.Millisecond // first wait between reconnect attempts
	DefaultBackoffMax   = 30 * time.Second       // longest wait between reconnect attempts
)

// Option configures Dial.
type Option func(*options)

type options struct {
	password     string
	user         string // userauth user@domain; empty: auth with password
	dialer       ContextDialer
	dialTimeout  time.Duration
	writeTimeout time.Duration
	format       EventFormat
	logger       *slog.Logger
	reconnect    bool
	backoffMin   time.Duration
	backoffMax   time.Duration
	idleLimit    time.Duration
	limits       wire.Limits
}

func defaultOptions() options {
	return options{
		password:     DefaultPassword,
		dialer:       &net.Dialer{},
		dialTimeout:  DefaultDialTimeout,
		writeTimeout: DefaultWriteTimeout,
		format:       FormatPlain,
		logger:       discardLogger,
		backoffMin:   DefaultBackoffMin,
		backoffMax:   DefaultBackoffMax,
	}
}

// WithPassword authenticates with `auth <password>` (default "ClueCon").
func WithPassword(password string) Option {
	return func(o *options) { o.password, o.user = password, "" }
}

// WithUserAuth authenticates with `userauth user@domain:password` against
// FreeSWITCH's user directory (esl-password), which may restrict the events,
// APIs and logs allowed.
func WithUserAuth(userAtDomain, password string) Option {
	return func(o *options) { o.user, o.password = userAtDomain, password }
}

// WithDialer sets how the TCP connection is made (default a *net.Dialer).
func WithDialer(d ContextDialer) Option { return func(o *options) { o.dialer = d } }

// WithDialTimeout bounds connecting and authenticating, each time the
// client (re)connects (default DefaultDialTimeout; the ctx given to Dial
// bounds the first attempt too).
func WithDialTimeout(d time.Duration) Option { return func(o *options) { o.dialTimeout = d } }

// WithWriteTimeout bounds each write to the socket; a write that takes
// longer ends the connection (default DefaultWriteTimeout, 0: no limit).
func WithWriteTimeout(d time.Duration) Option { return func(o *options) { o.writeTimeout = d } }

// WithEventFormat sets the format the event command asks for (default
// FormatPlain).
func WithEventFormat(f EventFormat) Option { return func(o *options) { o.format = f } }

// WithLogger sets where the client logs (default: nowhere). Passwords are
// never logged.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.logger = l
		}
	}
}

// WithReconnect makes the client reconnect when the connection is lost,
// waiting between attempts with exponential backoff from min to max with
// jitter (each wait is a random time between half and all of the current
// step, so that many clients do not come back at once), and restore the subscriptions, filters, divert and log
// level that were in force. A wrong password stops it.
func WithReconnect(min, max time.Duration) Option {
	return func(o *options) {
		o.reconnect = true
		if min > 0 {
			o.backoffMin = min
		}
		if max >= o.backoffMin {
			o.backoffMax = max
		} else {
			o.backoffMax = o.backoffMin
		}
	}
}

// WithLiveness declares the connection dead when nothing at all arrives
// for d while HEARTBEAT is subscribed (FreeSWITCH sends one every 20 s by
// default; choose d above that interval). Without HEARTBEAT silence is
// normal and the limit does not apply.
func WithLiveness(d time.Duration) Option { return func(o *options) { o.idleLimit = d } }

// WithLimits bounds the size of frames accepted from the server.
func WithLimits(maxHeaderBytes, maxBodyBytes int) Option {
	return func(o *options) {
		o.limits = wire.Limits{MaxHeaderBytes: maxHeaderBytes, MaxBodyBytes: maxBodyBytes}
	}
}
