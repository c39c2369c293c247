package fsim

// replyAmidEvents is reply for a connection that may already receive
// events (myevents on an async socket, whose CHANNEL_PARK races the next
// command): it skips event frames until the command's reply.
func (c *rawConn) replyAmidEvents(cmd string) string {
	c.t.Helper()
	c.send(cmd + "\n\n")
	f, _ := c.readUntil(func(f *frame) bool { return f.get("Content-Type") == "command/reply" })
	return f.get("Reply-Text")
}
