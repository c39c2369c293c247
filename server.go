package esl

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultOutboundAddr is where a Server listens when Addr is empty: the
// port FreeSWITCH's socket application dials when none is given.
const DefaultOutboundAddr = "127.0.0.1:8084"

// DefaultHandshakeTimeout bounds how long a Server waits for the reply to
// connect (and myevents) before giving up on a connection.
const DefaultHandshakeTimeout = 10 * time.Second

// ErrServerClosed is returned by Serve and ListenAndServe after Shutdown
// or Close.
var ErrServerClosed = errors.New("esl: server closed")

// Server accepts the connections FreeSWITCH's socket application makes, one
// per call, and runs Handler for each, as http.Server does for requests:
//
//	<action application="socket" data="127.0.0.1:8084 async full"/>
//
// For every connection the Server sends connect, reads the channel data,
// subscribes the connection to its call's events (myevents, unless
// NoMyEvents), then calls Handler.ServeESL with the Session.
//
// The socket application's arguments decide what a Session can do (see
// FreeSWITCH's rules in the Session documentation): "async" lets commands
// be answered while an application runs, "full" allows api, bgapi, linger
// and event; without it FreeSWITCH answers those "-ERR command not found"
// and the Session returns an error matching ErrNotFull.
//
// A Server's fields must not change once it serves.
type Server struct {
	// Addr is the TCP address ListenAndServe listens on
	// (DefaultOutboundAddr when empty).
	Addr string
	// Handler drives each call. It must be set.
	Handler Handler
	// MaxSessions caps the number of calls handled at once (0: no cap).
	// A connection over the cap is sent exit and closed at once, before
	// connect, so FreeSWITCH's socket application returns and the
	// dialplan goes on (e.g. to a fallback).
	MaxSessions int
	// HandshakeTimeout bounds the wait for connect's reply
	// (DefaultHandshakeTimeout when 0).
	HandshakeTimeout time.Duration
	// WriteTimeout bounds each write to a connection (0: no limit).
	WriteTimeout time.Duration
	// EventFormat is the format myevents asks for (plain when empty).
	EventFormat EventFormat
	// NoMyEvents skips the automatic myevents: the session then receives
	// no events until the handler subscribes (MyEvents, Subscribe).
	// Execute still subscribes with myevents when it first needs its
	// completion event.
	NoMyEvents bool
	// Logger receives the Server's logs (connections refused, failed
	// handshakes, handler panics); nil discards them.
	Logger *slog.Logger
	// BaseContext, if set, returns the parent of every session context
	// for connections accepted on l.
	BaseContext func(l net.Listener) context.Context

	mu        sync.Mutex
	listeners map[*net.Listener]struct{}
	conns     map[net.Conn]struct{}
	active    int
	idle      chan struct{} // closed when active drops to 0 during shutdown
	closing   atomic.Bool
	refused   atomic.Uint64
}

// ListenAndServe listens on s.Addr and serves until Shutdown or Close,
// after which it returns ErrServerClosed.
func (s *Server) ListenAndServe() error {
	if s.closing.Load() {
		return ErrServerClosed
	}
	addr := s.Addr
	if addr == "" {
		addr = DefaultOutboundAddr
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(l)
}

// Serve accepts connections on l and handles each on its own goroutine.
// It closes l when it returns, which is always with a non-nil error:
// ErrServerClosed after Shutdown or Close.
func (s *Server) Serve(l net.Listener) error {
	if s.Handler == nil {
		_ = l.Close()
		return errors.New("esl: Server.Handler is nil")
	}
	if !s.trackListener(&l, true) {
		_ = l.Close()
		return ErrServerClosed
	}
	defer s.trackListener(&l, false)
	defer l.Close()

	ctx := context.Background()
	if s.BaseContext != nil {
		if ctx = s.BaseContext(l); ctx == nil {
			panic("esl: Server.BaseContext returned a nil context")
		}
	}
	var delay time.Duration
	for {
		nc, err := l.Accept()
		if err != nil {
			if s.closing.Load() {
				return ErrServerClosed
			}
			if te, ok := err.(interface{ Temporary() bool }); ok && te.Temporary() {
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				s.logger().Warn("esl: accept failed; retrying", "err", err, "delay", delay)
				t := time.NewTimer(delay)
				<-t.C
				continue
			}
			return err
		}
		delay = 0
		if !s.admit(nc) {
			s.refuse(nc)
			continue
		}
		go s.serveConn(ctx, nc)
	}
}

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return discardLogger
}

// trackListener adds or removes l; adding fails once the server closes.
func (s *Server) trackListener(l *net.Listener, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if add {
		if s.closing.Load() {
			return false
		}
		if s.listeners == nil {
			s.listeners = make(map[*net.Listener]struct{})
		}
		s.listeners[l] = struct{}{}
	} else {
		delete(s.listeners, l)
	}
	return true
}

// admit counts nc as a session unless the server is closing or full.
func (s *Server) admit(nc net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing.Load() || s.MaxSessions > 0 && s.active >= s.MaxSessions {
		return false
	}
	if s.conns == nil {
		s.conns = make(map[net.Conn]struct{})
	}
	s.conns[nc] = struct{}{}
	s.active++
	return true
}

func (s *Server) release(nc net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, nc)
	s.active--
	if s.active == 0 && s.idle != nil {
		close(s.idle)
		s.idle = nil
	}
}

// refuse ends a connection over the cap cleanly: FreeSWITCH reads exit as
// the first command, says goodbye and lets the dialplan continue.
func (s *Server) refuse(nc net.Conn) {
	n := s.refused.Add(1)
	s.logger().Warn("esl: outbound connection refused: session cap reached",
		"remote", nc.RemoteAddr().String(), "max_sessions", s.MaxSessions, "refused_total", n)
	_ = nc.SetWriteDeadline(time.Now().Add(time.Second))
	_, _ = nc.Write([]byte("exit\n\n"))
	_ = nc.Close()
}

// Refused returns how many connections were refused because MaxSessions
// calls were already being handled (or the server was closing).
func (s *Server) Refused() uint64 { return s.refused.Load() }

// ActiveSessions returns how many connections are being handled now.
func (s *Server) ActiveSessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.active
}

func (s *Server) serveConn(ctx context.Context, nc net.Conn) {
	defer s.release(nc)
	sess, err := newSession(ctx, nc, sessionConfig{
		logger:           s.logger(),
		handshakeTimeout: s.HandshakeTimeout,
		writeTimeout:     s.WriteTimeout,
		format:           s.EventFormat,
		noMyEvents:       s.NoMyEvents,
	})
	if err != nil {
		s.logger().Warn("esl: outbound handshake failed", "remote", nc.RemoteAddr().String(), "err", err)
		return
	}
	defer sess.close()
	defer func() {
		if r := recover(); r != nil {
			s.logger().Error("esl: panic in outbound handler; connection closed",
				"uuid", sess.UUID(), "remote", nc.RemoteAddr().String(), "panic", r, "stack", string(debug.Stack()))
		}
	}()
	s.Handler.ServeESL(sess.Context(), sess)
}

// Shutdown stops the server gracefully: it closes the listeners, then
// waits until every running handler has returned or ctx ends (returning
// ctx's error). Running calls are not interrupted.
func (s *Server) Shutdown(ctx context.Context) error {
	s.closing.Store(true)
	s.mu.Lock()
	err := s.closeListenersLocked()
	if s.active == 0 {
		s.mu.Unlock()
		return err
	}
	if s.idle == nil {
		s.idle = make(chan struct{})
	}
	idle := s.idle
	s.mu.Unlock()
	select {
	case <-idle:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops the server at once: it closes the listeners and every
// connection. The handlers' contexts are cancelled and their commands fail
// with ErrDisconnected; Close does not wait for them to return (Shutdown
// does).
func (s *Server) Close() error {
	s.closing.Store(true)
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.closeListenersLocked()
	for nc := range s.conns {
		_ = nc.Close()
	}
	return err
}

func (s *Server) closeListenersLocked() error {
	var err error
	for l := range s.listeners {
		if cerr := (*l).Close(); cerr != nil && err == nil && !errors.Is(cerr, net.ErrClosed) {
			err = cerr
		}
		delete(s.listeners, l)
	}
	return err
}
