// Package ivr is a small IVR for FreeSWITCH's outbound socket: it answers,
// plays a prompt, collects one digit (with a timeout and retries) and
// transfers the call to the extension of that digit, or says goodbye and
// hangs up. It is the logic of the examples/ivr program and of "esl demo",
// packaged so both can serve it:
//
//	srv := &esl.Server{Addr: "127.0.0.1:8084", Handler: ivr.Handler()}
//	log.Fatal(srv.ListenAndServe())
//
// The default prompts are tone and silence streams, so it runs on any
// FreeSWITCH (no sound files needed) and on fsim.
package ivr

import (
	"context"
	"errors"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/eslkit/esl"
)

// Config configures the IVR. Zero fields take the defaults of
// DefaultConfig.
type Config struct {
	// Prompt is played to ask for a digit.
	Prompt string
	// Invalid is played after a digit that is not in Menu.
	Invalid string
	// Goodbye is played before hanging up.
	Goodbye string
	// Menu maps a digit to the extension the call is transferred to.
	Menu map[string]string
	// Context and Dialplan of the transfer ("default", "XML").
	Context, Dialplan string
	// Timeout is how long to wait for the digit after each prompt.
	Timeout time.Duration
	// Tries is how often the prompt is played before giving up.
	Tries int
	// Logger receives one line per call (nil: slog.Default()).
	Logger *slog.Logger
}

// DefaultConfig returns the IVR's defaults: digit 1 goes to extension 9999
// and 2 to 8888 (FreeSWITCH test extensions: a tone, and park), context
// default; three tries of five seconds.
func DefaultConfig() Config {
	return Config{
		Prompt:   "tone_stream://%(200,100,440,480);loops=2",
		Invalid:  "tone_stream://%(100,50,300);loops=3",
		Goodbye:  "tone_stream://%(400,0,350)",
		Menu:     map[string]string{"1": "9999", "2": "8888"},
		Context:  "default",
		Dialplan: "XML",
		Timeout:  5 * time.Second,
		Tries:    3,
	}
}

// Handler returns the IVR with DefaultConfig.
func Handler() esl.Handler { return New(DefaultConfig()) }

// New returns the IVR with c (zero fields take DefaultConfig's values).
func New(c Config) esl.Handler {
	d := DefaultConfig()
	if c.Prompt == "" {
		c.Prompt = d.Prompt
	}
	if c.Invalid == "" {
		c.Invalid = d.Invalid
	}
	if c.Goodbye == "" {
		c.Goodbye = d.Goodbye
	}
	if len(c.Menu) == 0 {
		c.Menu = d.Menu
	}
	if c.Context == "" {
		c.Context = d.Context
	}
	if c.Dialplan == "" {
		c.Dialplan = d.Dialplan
	}
	if c.Timeout <= 0 {
		c.Timeout = d.Timeout
	}
	if c.Tries <= 0 {
		c.Tries = d.Tries
	}
	return &handler{c: c}
}

type handler struct{ c Config }

// Outcome of one call, for the log line.
const (
	outcomeTransferred = "transferred"
	outcomeNoInput     = "no input"
	outcomeHungUp      = "caller hung up"
)

// ServeESL runs one call.
func (h *handler) ServeESL(ctx context.Context, s *esl.Session) {
	log := h.c.Logger
	if log == nil {
		log = slog.Default()
	}
	data := s.ChannelData()
	// The connect reply carries the caller profile as Channel-* (and,
	// from FreeSWITCH, again as Caller-*).
	log = log.With("uuid", s.UUID(), "caller", data.Get("Channel-Caller-ID-Number"),
		"destination", data.Get("Channel-Destination-Number"))
	outcome, err := h.run(ctx, s)
	switch {
	case errors.Is(err, esl.ErrHangup):
		log.Info("ivr: call ended", "outcome", outcomeHungUp)
	case err != nil:
		log.Warn("ivr: call failed", "err", err)
	default:
		log.Info("ivr: call ended", "outcome", outcome)
	}
}

func (h *handler) run(ctx context.Context, s *esl.Session) (string, error) {
	if err := s.Answer(ctx); err != nil {
		return "", err
	}
	digit, err := s.PlayAndGetDigits(ctx, esl.DigitsOptions{
		Min: 1, Max: 1, Tries: h.c.Tries, Timeout: h.c.Timeout, Terminators: "none",
		File: h.c.Prompt, InvalidFile: h.c.Invalid, Regexp: h.menuRegexp(), Var: "ivr_choice",
	})
	if err != nil {
		return "", err
	}
	if ext, ok := h.c.Menu[digit]; ok {
		return outcomeTransferred + " to " + ext, s.Transfer(ctx, ext, h.c.Dialplan, h.c.Context)
	}
	if _, err := s.Playback(ctx, h.c.Goodbye); err != nil {
		return "", err
	}
	return outcomeNoInput, s.Hangup(ctx, "NORMAL_CLEARING")
}

// menuRegexp accepts exactly the menu's digits, e.g. "^[12]$".
func (h *handler) menuRegexp() string {
	keys := make([]string, 0, len(h.c.Menu))
	for k := range h.c.Menu {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return "^[" + strings.Join(keys, "") + "]$"
}
