package fsim

// Temporary: the call side lands in the next commit.

func (c *channel) dataEvent(o origin, prefix string) *event { return &event{id: evChannelData} }
func (c *channel) connected()                               {}
func (c *channel) queueEvent(e *event)                      {}
func (c *channel) queueMessage(m *message)                  {}
func (c *channel) executeInline(m *message)                 {}
func (l *listener) checkSession() bool                      { return false }
func registerChannelAPIs(t map[string]apiFunc)              {}
func (s *Sim) hangupAll(cause string)                       {}

// Dialplan maps extensions to applications.
type Dialplan struct{}

// DefaultDialplan returns the captures' dialplan.
func DefaultDialplan() *Dialplan { return &Dialplan{} }

func (c *channel) showRow() []string { return nil }
func (s *Sim) callRows() [][]string  { return nil }
