package fsim

import (
	"os"
	"strings"
	"testing"
)

// TestConnectReplyHeadersMatchCapture: the outbound connect reply carries
// the same headers, in the same order, as real FreeSWITCH's (the first
// frame of the outbound-7777 capture), channel variables aside.
func TestConnectReplyHeadersMatchCapture(t *testing.T) {
	raw, err := os.ReadFile("../testdata/freeswitch/outbound-7777/server.bin")
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(raw), "\n\n")
	names := func(lines []string) string {
		var out []string
		for _, l := range lines {
			k, _, _ := strings.Cut(l, ": ")
			if !strings.HasPrefix(k, "variable_") {
				out = append(out, k)
			}
		}
		return strings.Join(out, ",")
	}
	want := names(strings.Split(first, "\n"))

	ln, accept := outboundServer(t)
	s := Run(t, Options{SocketAddr: ln.Addr().String(), HeartbeatInterval: -1})
	s.BgAPI("originate loopback/7777/default &park")
	c := accept()
	c.send("connect\n\n")
	cr := c.read()
	var got []string
	for _, h := range cr.headers {
		got = append(got, h[0]+": "+h[1])
	}
	if g := names(got); g != want {
		t.Fatalf("connect reply headers\n got  %s\n want %s", g, want)
	}
	if cr.get("Caller-Destination-Number") != "7777" || cr.get("Channel-Destination-Number") != "7777" {
		t.Fatalf("destination: %+v", cr.headers)
	}
	if r := c.reply("getvar destination_number"); r != "7777" {
		t.Fatalf("getvar destination_number: %q", r)
	}
}
