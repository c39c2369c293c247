package bench

import (
	"bytes"
	"errors"
	"io"

	esl "github.com/eslkit/esl"
)

var eslkitLib = &Library{
	Name: "eslkit",
	Decode: map[string]func([]byte, func(string)) error{
		"plain": eslkitDecode,
		"json":  eslkitDecode,
	},
}

// eslkitDecode reads the stream with the public esl.Decoder, which returns
// every frame and the decoded *esl.Event of each event frame whatever its
// format.
func eslkitDecode(stream []byte, on func(string)) error {
	d := esl.NewDecoder(bytes.NewReader(stream))
	for {
		f, err := d.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if f.Event != nil {
			on(f.Event.Get("Event-Name"))
		}
	}
}
