// Package wire reads and writes the bytes of FreeSWITCH's event socket
// protocol: frames (a header block and an optional Content-Length body) and
// the three event serialisations (plain, json and xml).
//
// It knows nothing about sockets, goroutines or policy, so the client, the
// outbound server and the simulator share one codec and can never disagree
// on the format.
package wire
