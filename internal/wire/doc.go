// Package wire reads and writes the bytes of FreeSWITCH's event socket
// protocol: frames (a header block and an optional Content-Length body) and
// the three event serialisations (plain, json and xml).
//
// It knows nothing about sockets, goroutines or policy, so the client, the
// outbound server and the simulator share one codec and can never disagree
// on the format.
//
// Reading: Reader.ReadFrame returns one frame at a time (header values
// percent-decoded, as libesl does) and reuses the Frame between calls (see
// Reader). Faults are *FrameError values wrapping ErrHeaderTooLarge,
// ErrBodyTooLarge, ErrBadContentLength, ErrMalformedHeader or
// io.ErrUnexpectedEOF, and are final for that Reader.
//
// Events: EventDecoder decodes the body of a text/event-plain, -json or
// -xml frame into an Event (headers as a slice) or a Compact (one string
// plus pointer-free offsets, what esl.Event holds). DecodePlain,
// DecodeJSON, DecodeXML and Decode are one-shot conveniences.
//
// Writing: AppendPlain, AppendJSON and AppendXML serialise an event exactly
// as FreeSWITCH does (switch_event_serialize, cJSON's unformatted print,
// switch_xml_toxml); AppendEventFrame wraps one in its frame;
// AppendFrame/WriteFrame write any other server→client frame and
// AppendCommand a client→server command block. The writers refuse CR and
// LF in header names, values and command lines (ErrNewline). The outbound
// "connect" reply is a CHANNEL_DATA event with Content-Type, Reply-Text
// ("+OK\n"), Socket-Mode and Control added as headers, serialised with
// AppendPlain.
package wire
