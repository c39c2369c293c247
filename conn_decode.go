package esl

import (
	"errors"

	"github.com/eslkit/esl/internal/wire"
)

// errFormatUnsupported is returned for json and xml events until the wire
// package's decoders are wired in here.
var errFormatUnsupported = errors.New("esl: event format not supported yet")

// decodeEvent turns the body of a text/event-* frame into an Event. It is
// the one place the connection engine depends on the event codecs.
func decodeEvent(contentType string, body []byte) (*Event, error) {
	switch contentType {
	case wire.TypeEventPlain:
		we, err := wire.DecodePlain(body)
		if err != nil {
			return nil, err
		}
		return NewEvent(we.Headers, we.Body), nil
	}
	return nil, errFormatUnsupported
}
