package esl

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// The helpers below run the dialplan applications IVRs use most, through
// Execute: each waits until the application finished and returns early
// with a *HangupError when the caller hangs up.

// Answer answers the call (answer).
func (s *Session) Answer(ctx context.Context) error {
	_, err := s.Execute(ctx, "answer", "")
	return err
}

// PreAnswer opens early media without answering (pre_answer).
func (s *Session) PreAnswer(ctx context.Context) error {
	_, err := s.Execute(ctx, "pre_answer", "")
	return err
}

// Playback plays a file, stream or phrase (playback), e.g.
// "ivr/ivr-welcome.wav" or "tone_stream://%(1000,0,440)", and returns the
// Application-Response ("FILE PLAYED", "FILE NOT FOUND", "PLAYBACK ERROR").
func (s *Session) Playback(ctx context.Context, file string) (string, error) {
	if file == "" {
		return "", argErr("playback file", "is empty")
	}
	return s.Execute(ctx, "playback", file)
}

// DigitsOptions configures PlayAndGetDigits. Zero fields take the
// defaults shown.
type DigitsOptions struct {
	Min, Max int // digits to collect (1, 1)
	// Tries is how many times the prompt is played (1).
	Tries int
	// Timeout is how long to wait for the first digit after the prompt
	// (5s).
	Timeout time.Duration
	// DigitTimeout is how long to wait between digits (Timeout).
	DigitTimeout time.Duration
	// Terminators end the input early ("#"; "none" for none).
	Terminators string
	// File is the prompt (required); InvalidFile is played after input
	// that does not match Regexp ("silence_stream://250").
	File, InvalidFile string
	// Regexp the input must match (`\d+`).
	Regexp string
	// Var is the channel variable that receives the digits
	// ("eslkit_digits").
	Var string
	// TransferOnFailure, if set, is "<extension> [<dialplan>
	// <context>]" to transfer to when every try failed.
	TransferOnFailure string
}

// PlayAndGetDigits plays a prompt and collects DTMF digits
// (play_and_get_digits) and returns them ("" when the caller entered
// nothing valid before the timeouts).
func (s *Session) PlayAndGetDigits(ctx context.Context, o DigitsOptions) (string, error) {
	if o.File == "" {
		return "", argErr("play_and_get_digits file", "is empty")
	}
	o.Min = max(o.Min, 1)
	o.Max = max(o.Max, o.Min)
	o.Tries = max(o.Tries, 1)
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
	if o.DigitTimeout <= 0 {
		o.DigitTimeout = o.Timeout
	}
	if o.Terminators == "" {
		o.Terminators = "#"
	}
	if o.InvalidFile == "" {
		o.InvalidFile = "silence_stream://250"
	}
	if o.Regexp == "" {
		o.Regexp = `\d+`
	}
	if o.Var == "" {
		o.Var = "eslkit_digits"
	}
	// FreeSWITCH splits the argument on spaces, so every word must be one.
	for _, w := range [][2]string{{"file", o.File}, {"invalid file", o.InvalidFile}, {"regexp", o.Regexp}, {"variable", o.Var}, {"terminators", o.Terminators}} {
		if err := checkWord("play_and_get_digits "+w[0], w[1]); err != nil {
			return "", err
		}
	}
	args := []string{
		strconv.Itoa(o.Min), strconv.Itoa(o.Max), strconv.Itoa(o.Tries),
		strconv.FormatInt(o.Timeout.Milliseconds(), 10), o.Terminators,
		o.File, o.InvalidFile, o.Var, o.Regexp,
		strconv.FormatInt(o.DigitTimeout.Milliseconds(), 10),
	}
	if o.TransferOnFailure != "" {
		args = append(args, o.TransferOnFailure)
	}
	x, err := s.ExecuteAsync(ctx, "play_and_get_digits", strings.Join(args, " "))
	if err != nil {
		return "", err
	}
	if _, err := x.Wait(ctx); err != nil {
		return "", err
	}
	// CHANNEL_EXECUTE_COMPLETE carries the channel variables; ask for the
	// variable only if this FreeSWITCH left them out.
	if v, ok := x.Event().Lookup("variable_" + o.Var); ok {
		return v, nil
	}
	return s.GetVar(ctx, o.Var)
}

// Say speaks text with FreeSWITCH's say engine (say), e.g.
// Say(ctx, "en", "number", "pronounced", "42"). sayType is NUMBER,
// ITEMS, PERSONS, MESSAGES, CURRENCY, TIME_MEASUREMENT,
// CURRENT_DATE, CURRENT_TIME, CURRENT_DATE_TIME, TELEPHONE_NUMBER,
// TELEPHONE_EXTENSION, URL, IP_ADDRESS, EMAIL_ADDRESS, POSTAL_ADDRESS,
// ACCOUNT_NUMBER, NAME_SPELLED, NAME_PHONETIC or SHORT_DATE_TIME; method
// is pronounced, iterated or counted.
func (s *Session) Say(ctx context.Context, lang, sayType, method, text string) error {
	for _, w := range [][2]string{{"language", lang}, {"type", sayType}, {"method", method}} {
		if err := checkWord("say "+w[0], w[1]); err != nil {
			return err
		}
	}
	if err := checkText("say text", text); err != nil {
		return err
	}
	_, err := s.Execute(ctx, "say", lang+" "+sayType+" "+method+" "+text)
	return err
}

// Bridge connects the call to a new leg (bridge <dial string>) and returns
// when the bridge ends; the error is nil even if the other leg failed
// (check the variables, e.g. GetVar "bridge_hangup_cause" or
// "originate_disposition").
func (s *Session) Bridge(ctx context.Context, dialString string) error {
	if dialString == "" {
		return argErr("bridge dial string", "is empty")
	}
	_, err := s.Execute(ctx, "bridge", dialString)
	return err
}

// Transfer sends the call to another extension (transfer <extension>
// [<dialplan> [<context>]]); dialplan and context may be "". The call
// leaves this socket: return from the handler afterwards.
func (s *Session) Transfer(ctx context.Context, extension, dialplan, dpContext string) error {
	if err := checkWord("transfer extension", extension); err != nil {
		return err
	}
	for _, v := range []string{dialplan, dpContext} {
		if strings.ContainsAny(v, " \t\r\n") {
			return argErr("transfer dialplan or context "+strconv.Quote(v), "contains white space")
		}
	}
	arg := extension
	if dpContext != "" && dialplan == "" {
		dialplan = "XML"
	}
	if dialplan != "" {
		arg += " " + dialplan
	}
	if dpContext != "" {
		arg += " " + dpContext
	}
	_, err := s.Execute(ctx, "transfer", arg)
	return err
}

// Set sets a channel variable (set name=value). Values may hold anything,
// line breaks included (they are sent as a body).
func (s *Session) Set(ctx context.Context, name, value string) error {
	if err := checkVarName(name); err != nil {
		return err
	}
	_, err := s.Execute(ctx, "set", name+"="+value)
	return err
}

// Export sets a channel variable and copies it to legs bridged later
// (export name=value).
func (s *Session) Export(ctx context.Context, name, value string) error {
	if err := checkVarName(name); err != nil {
		return err
	}
	_, err := s.Execute(ctx, "export", name+"="+value)
	return err
}

func checkVarName(name string) error {
	if err := checkWord("variable name", name); err != nil {
		return err
	}
	if strings.ContainsRune(name, '=') {
		return argErr("variable name "+strconv.Quote(name), "contains '='")
	}
	return nil
}

// Park parks the call (park). It returns once FreeSWITCH accepted the
// message (in static mode, once it was sent: FreeSWITCH would answer only
// when the park ends): a parked call stays there until it is transferred,
// bridged or hung up, so there is nothing to wait for.
func (s *Session) Park(ctx context.Context) error {
	x, err := s.ExecuteAsync(ctx, "park", "")
	if err != nil {
		return err
	}
	if !s.Async() {
		// Static mode: FreeSWITCH answers a sendmsg only when the
		// application ends, which for park is when the call leaves it.
		return nil
	}
	select {
	case res := <-x.reply:
		if res.err != nil {
			return res.err
		}
		return res.rep.err()
	case <-x.done:
		return x.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Record records the caller to path (record <path> [<limit secs>
// [<silence threshold> [<silence hits>]]]) until a DTMF terminator,
// silence or limit (0: none); silenceThresh and silenceHits 0 leave
// FreeSWITCH's defaults.
func (s *Session) Record(ctx context.Context, path string, limit time.Duration, silenceThresh, silenceHits int) error {
	if err := checkWord("record path", path); err != nil {
		return err
	}
	arg := path
	if limit > 0 || silenceThresh > 0 || silenceHits > 0 {
		arg += " " + strconv.Itoa(int((limit+time.Second-1)/time.Second))
	}
	if silenceThresh > 0 || silenceHits > 0 {
		arg += " " + strconv.Itoa(silenceThresh)
	}
	if silenceHits > 0 {
		arg += " " + strconv.Itoa(silenceHits)
	}
	_, err := s.Execute(ctx, "record", arg)
	return err
}

// Sleep keeps the channel busy for d (sleep <ms>), e.g. to pause between
// prompts.
func (s *Session) Sleep(ctx context.Context, d time.Duration) error {
	if d < 0 {
		return argErr("sleep duration", "is negative")
	}
	_, err := s.Execute(ctx, "sleep", strconv.FormatInt(d.Milliseconds(), 10))
	return err
}

// SendDTMF sends DTMF digits to the caller (send_dtmf <digits>), e.g.
// "1234#" or "1234@400" for 400 ms tones.
func (s *Session) SendDTMF(ctx context.Context, digits string) error {
	if err := checkWord("dtmf digits", digits); err != nil {
		return err
	}
	_, err := s.Execute(ctx, "send_dtmf", digits)
	return err
}
