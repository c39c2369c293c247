package fsim

// Every reply text mod_event_socket writes, in one table so that it can be
// checked against the captures and the protocol reference (§2). The typos
// are FreeSWITCH's own and are kept on purpose.
const (
	replyAccepted          = "+OK accepted"
	replyInvalid           = "-ERR invalid"
	replyBye               = "+OK bye"
	replyCommandNotFound   = "-ERR command not found"
	replyOK                = "+OK"
	replyEventEnabled      = "+OK event listener enabled " // + format
	replyNoKeywords        = "-ERR no keywords supplied"
	replyPermissionDenied  = "-ERR permission denied"
	replyEventsNixed       = "+OK events nixed"
	replyNoEvents          = "+OK no longer listening for events"
	replyNotListening      = "-ERR not listening for events"
	replyEventsEnabled     = "+OK Events Enabled"
	replyAlreadyEnabled    = "-ERR aready enabled."
	replyInvalidUUID       = "-ERR invalid uuid"
	replyFilterAdded       = "+OK filter added. [%s]=[%s]"
	replyFilterDeleted     = "+OK filter deleted. [%s][%s]"
	replyInvalidSyntax     = "-ERR invalid syntax"
	replyDiverted          = "+OK events diverted"
	replyNotDiverted       = "+OK events not diverted"
	replyMissingValue      = "-ERR missing value."
	replyNotControllingDot = "-ERR not controlling a session."
	replyNotControlling    = "-ERR not controlling a session"
	replyWillLinger        = "+OK will linger"
	replyWillLingerSecs    = "+OK will linger %d seconds"
	replyWillNotLinger     = "+OK will not linger"
	replyLogLevel          = "+OK log level %s [%d]"
	replyInvalidLogLevel   = "-ERR invalid log level"
	replyNoLongerLogging   = "+OK no longer logging"
	replyNotLogging        = "-ERR not loging"
	replyInvalidSession    = "-ERR invalid session id [%s]"
	replyJobUUID           = "+OK Job-UUID: "

	apiCommandNotFound = "-ERR %s Command not found!\n"
	apiNoReply         = "-ERR no reply\n"

	noticeGoodbye    = "Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n"
	noticeLost       = "killed listener because of lost events\n"
	noticeLostLogs   = "killed listener because of lost log lines\n"
	noticeShutdown   = "The system is being shut down.\n"
	rudeRejection    = "Access Denied, go away.\n"
	frameAuthRequest = "Content-Type: auth/request\n\n"
)
