// Package esl is a client and server for FreeSWITCH's event socket
// (mod_event_socket).
//
// Client dials FreeSWITCH's inbound listener (port 8021) to run API commands
// and receive events; Server accepts the connections that FreeSWITCH's
// "socket" dialplan application makes for each call (outbound mode), and
// hands each one to a Handler as a Session. Event is an event in any of the
// three serialisations FreeSWITCH offers.
package esl
