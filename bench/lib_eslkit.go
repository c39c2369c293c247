package bench

import (
	"bytes"
	"errors"
	"io"

	esl "github.com/eslkit/esl"
	"github.com/eslkit/esl/internal/wire"
)

var eslkitLib = &Library{
	Name: "eslkit",
	Decode: map[string]func([]byte, func(string)) error{
		"plain": eslkitDecode,
	},
}

// eslkitDecode: TEMPORARY until esl.NewDecoder lands — wire reader + plain.
func eslkitDecode(stream []byte, on func(string)) error {
	r := wire.NewReader(bytes.NewReader(stream), wire.Limits{})
	for {
		f, err := r.ReadFrame()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if f.ContentType() != wire.TypeEventPlain {
			continue
		}
		we, err := wire.DecodePlain(f.Body)
		if err != nil {
			return err
		}
		ev := esl.NewEvent(we.Headers, we.Body)
		on(ev.Get("Event-Name"))
	}
}
