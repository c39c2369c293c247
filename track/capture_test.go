package track

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eslkit/esl"
	"github.com/eslkit/esl/internal/wire"
)

// captureEvents decodes every event of a capture's server.bin, in arrival
// order, whatever its serialisation.
func captureEvents(tb testing.TB, scenario string) []*esl.Event {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "freeswitch", scenario, "server.bin"))
	if err != nil {
		tb.Fatal(err)
	}
	r := wire.NewReader(bytes.NewReader(raw), wire.Limits{})
	var out []*esl.Event
	for {
		fr, err := r.ReadFrame()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatalf("%s: %v", scenario, err)
		}
		var ev *esl.Event
		switch fr.ContentType() {
		case wire.TypeEventPlain:
			w, err := wire.DecodePlain(fr.Body)
			if err != nil {
				tb.Fatalf("%s: plain event: %v", scenario, err)
			}
			ev = esl.NewEvent(w.Headers, w.Body)
		case wire.TypeEventJSON:
			ev = decodeJSONEvent(tb, fr.Body)
		case wire.TypeEventXML:
			ev = decodeXMLEvent(tb, fr.Body)
		default:
			continue
		}
		out = append(out, ev)
	}
	return out
}

// decodeJSONEvent keeps the header order of FreeSWITCH's json event object.
func decodeJSONEvent(tb testing.TB, b []byte) *esl.Event {
	d := json.NewDecoder(bytes.NewReader(b))
	if _, err := d.Token(); err != nil {
		tb.Fatal(err)
	}
	var hs []esl.Header
	body := ""
	for d.More() {
		k, err := d.Token()
		if err != nil {
			tb.Fatal(err)
		}
		var v any
		if err := d.Decode(&v); err != nil {
			tb.Fatal(err)
		}
		name := k.(string)
		switch v := v.(type) {
		case string:
			if name == "_body" {
				body = v
				continue
			}
			hs = append(hs, esl.Header{Name: name, Value: v})
		case []any:
			h := esl.Header{Name: name}
			for _, e := range v {
				s, _ := e.(string)
				h.Array = append(h.Array, s)
			}
			if len(h.Array) > 0 {
				h.Value = h.Array[0]
			}
			hs = append(hs, h)
		}
	}
	if body != "" && len(hs) > 0 && hs[len(hs)-1].Name == "Content-Length" {
		hs = hs[:len(hs)-1]
	}
	return esl.NewEvent(hs, body)
}

// decodeXMLEvent reads <event><headers><Name>value</Name>...</headers>
// [<Content-Length>..</Content-Length><body>..</body>]</event>.
func decodeXMLEvent(tb testing.TB, b []byte) *esl.Event {
	d := xml.NewDecoder(bytes.NewReader(b))
	var hs []esl.Header
	body := ""
	depth := 0
	inHeaders := false
	var name string
	var text strings.Builder
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 2 && tk.Name.Local == "headers" {
				inHeaders = true
			}
			name = tk.Name.Local
			text.Reset()
		case xml.CharData:
			text.Write(tk)
		case xml.EndElement:
			v := string(wire.PercentDecode(nil, []byte(text.String())))
			if inHeaders && depth == 3 {
				hs = append(hs, esl.Header{Name: name, Value: v})
			} else if depth == 2 && tk.Name.Local == "body" {
				body = text.String()
			} else if depth == 2 && tk.Name.Local == "headers" {
				inHeaders = false
			}
			text.Reset()
			depth--
		}
	}
	return esl.NewEvent(hs, body)
}
