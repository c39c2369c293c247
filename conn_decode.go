package esl

// decodeEvent turns the body of a text/event-* frame into an Event. It is
// the one place the connection engine depends on the event codecs.
func decodeEvent(contentType string, body []byte) (*Event, error) {
	return ParseEvent(contentType, body)
}
