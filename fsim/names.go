package fsim

import "strings"

// eventNames is FreeSWITCH's event table (switch_event.c EVENT_NAMES): the
// position is the event id. evAll is only a subscription keyword.
var eventNames = [...]string{
	"CUSTOM", "CLONE", "CHANNEL_CREATE", "CHANNEL_DESTROY", "CHANNEL_STATE",
	"CHANNEL_CALLSTATE", "CHANNEL_ANSWER", "CHANNEL_HANGUP", "CHANNEL_HANGUP_COMPLETE",
	"CHANNEL_EXECUTE", "CHANNEL_EXECUTE_COMPLETE", "CHANNEL_HOLD", "CHANNEL_UNHOLD",
	"CHANNEL_BRIDGE", "CHANNEL_UNBRIDGE", "CHANNEL_PROGRESS", "CHANNEL_PROGRESS_MEDIA",
	"CHANNEL_OUTGOING", "CHANNEL_PARK", "CHANNEL_UNPARK", "CHANNEL_APPLICATION",
	"CHANNEL_ORIGINATE", "CHANNEL_UUID", "API", "LOG", "INBOUND_CHAN", "OUTBOUND_CHAN",
	"STARTUP", "SHUTDOWN", "PUBLISH", "UNPUBLISH", "TALK", "NOTALK", "SESSION_CRASH",
	"MODULE_LOAD", "MODULE_UNLOAD", "DTMF", "MESSAGE", "PRESENCE_IN", "NOTIFY_IN",
	"PRESENCE_OUT", "PRESENCE_PROBE", "MESSAGE_WAITING", "MESSAGE_QUERY", "ROSTER",
	"CODEC", "BACKGROUND_JOB", "DETECTED_SPEECH", "DETECTED_TONE", "PRIVATE_COMMAND",
	"HEARTBEAT", "TRAP", "ADD_SCHEDULE", "DEL_SCHEDULE", "EXE_SCHEDULE", "RE_SCHEDULE",
	"RELOADXML", "NOTIFY", "PHONE_FEATURE", "PHONE_FEATURE_SUBSCRIBE", "SEND_MESSAGE",
	"RECV_MESSAGE", "REQUEST_PARAMS", "CHANNEL_DATA", "GENERAL", "COMMAND",
	"SESSION_HEARTBEAT", "CLIENT_DISCONNECTED", "SERVER_DISCONNECTED", "SEND_INFO",
	"RECV_INFO", "RECV_RTCP_MESSAGE", "SEND_RTCP_MESSAGE", "CALL_SECURE", "NAT",
	"RECORD_START", "RECORD_STOP", "PLAYBACK_START", "PLAYBACK_STOP", "CALL_UPDATE",
	"FAILURE", "SOCKET_DATA", "MEDIA_BUG_START", "MEDIA_BUG_STOP",
	"CONFERENCE_DATA_QUERY", "CONFERENCE_DATA", "CALL_SETUP_REQ", "CALL_SETUP_RESULT",
	"CALL_DETAIL", "DEVICE_STATE", "TEXT", "SHUTDOWN_REQUESTED", "CERT_RELOAD", "ALL",
}

// Event ids used by the simulator.
const (
	evCustom                 = 0
	evClone                  = 1
	evChannelCreate          = 2
	evChannelDestroy         = 3
	evChannelState           = 4
	evChannelCallstate       = 5
	evChannelAnswer          = 6
	evChannelHangup          = 7
	evChannelHangupComplete  = 8
	evChannelExecute         = 9
	evChannelExecuteComplete = 10
	evChannelHold            = 11
	evChannelUnhold          = 12
	evChannelBridge          = 13
	evChannelUnbridge        = 14
	evChannelProgress        = 15
	evChannelProgressMedia   = 16
	evChannelOutgoing        = 17
	evChannelPark            = 18
	evChannelUnpark          = 19
	evChannelApplication     = 20
	evChannelOriginate       = 21
	evChannelUUID            = 22
	evAPI                    = 23
	evShutdown               = 28
	evTalk                   = 31
	evNotalk                 = 32
	evModuleLoad             = 34
	evModuleUnload           = 35
	evDTMF                   = 36
	evPresenceIn             = 38
	evCodec                  = 45
	evBackgroundJob          = 46
	evDetectedSpeech         = 47
	evPrivateCommand         = 49
	evHeartbeat              = 50
	evReSchedule             = 55
	evReloadXML              = 56
	evChannelData            = 63
	evRecordStart            = 75
	evRecordStop             = 76
	evPlaybackStart          = 77
	evPlaybackStop           = 78
	evCallUpdate             = 79
	evAll                    = 93
	numEvents                = 94
)

var eventIDs = func() map[string]int {
	m := make(map[string]int, len(eventNames))
	for i, n := range eventNames {
		m[n] = i
	}
	return m
}()

// eventID looks a name up the way switch_name_event does: case-insensitive,
// and a name longer than 13 bytes may carry any 13-byte prefix
// ("SWITCH_EVENT_CHANNEL_CREATE").
func eventID(name string) (int, bool) {
	if id, ok := eventIDs[strings.ToUpper(name)]; ok {
		return id, true
	}
	if len(name) > 13 {
		if id, ok := eventIDs[strings.ToUpper(name[13:])]; ok {
			return id, true
		}
	}
	return 0, false
}

// myeventsTypes are the types "myevents" subscribes to (mes.c).
var myeventsTypes = []int{
	evChannelAnswer, evChannelApplication, evChannelBridge, evChannelCreate, evChannelData,
	evChannelDestroy, evChannelExecute, evChannelExecuteComplete, evChannelHangup,
	evChannelHangupComplete, evChannelOriginate, evChannelUUID, evChannelOutgoing,
	evChannelPark, evChannelProgress, evChannelProgressMedia, evChannelState,
	evChannelUnbridge, evChannelUnpark, evDetectedSpeech, evDTMF, evNotalk, evTalk,
}

// Channel states (switch_channel_state_t).
type chanState int

const (
	csNew chanState = iota
	csInit
	csRouting
	csSoftExecute
	csExecute
	csExchangeMedia
	csPark
	csConsumeMedia
	csHibernate
	csReset
	csHangup
	csReporting
	csDestroy
	csNone
)

var stateNames = [...]string{"CS_NEW", "CS_INIT", "CS_ROUTING", "CS_SOFT_EXECUTE", "CS_EXECUTE",
	"CS_EXCHANGE_MEDIA", "CS_PARK", "CS_CONSUME_MEDIA", "CS_HIBERNATE", "CS_RESET", "CS_HANGUP",
	"CS_REPORTING", "CS_DESTROY", "CS_NONE"}

func (s chanState) String() string {
	if s >= 0 && int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "CS_NONE"
}

// Call states (switch_channel_callstate_t).
type callState int

const (
	ccsDown callState = iota
	ccsDialing
	ccsRinging
	ccsEarly
	ccsActive
	ccsHeld
	ccsRingWait
	ccsHangup
	ccsUnheld
)

var callStateNames = [...]string{"DOWN", "DIALING", "RINGING", "EARLY", "ACTIVE", "HELD", "RING_WAIT", "HANGUP", "UNHELD"}

func (s callState) String() string {
	if s >= 0 && int(s) < len(callStateNames) {
		return callStateNames[s]
	}
	return "UNKNOWN"
}

// hangupCauses maps FreeSWITCH's cause names to their enum values
// (switch_channel.c CAUSE_CHART).
var hangupCauses = []struct {
	name  string
	value int
}{
	{"NONE", 0}, {"UNALLOCATED_NUMBER", 1}, {"NO_ROUTE_TRANSIT_NET", 2}, {"NO_ROUTE_DESTINATION", 3},
	{"CHANNEL_UNACCEPTABLE", 6}, {"CALL_AWARDED_DELIVERED", 7}, {"NORMAL_CLEARING", 16},
	{"USER_BUSY", 17}, {"NO_USER_RESPONSE", 18}, {"NO_ANSWER", 19}, {"SUBSCRIBER_ABSENT", 20},
	{"CALL_REJECTED", 21}, {"NUMBER_CHANGED", 22}, {"REDIRECTION_TO_NEW_DESTINATION", 23},
	{"EXCHANGE_ROUTING_ERROR", 25}, {"DESTINATION_OUT_OF_ORDER", 27}, {"INVALID_NUMBER_FORMAT", 28},
	{"FACILITY_REJECTED", 29}, {"RESPONSE_TO_STATUS_ENQUIRY", 30}, {"NORMAL_UNSPECIFIED", 31},
	{"NORMAL_CIRCUIT_CONGESTION", 34}, {"NETWORK_OUT_OF_ORDER", 38}, {"NORMAL_TEMPORARY_FAILURE", 41},
	{"SWITCH_CONGESTION", 42}, {"ACCESS_INFO_DISCARDED", 43}, {"REQUESTED_CHAN_UNAVAIL", 44},
	{"PRE_EMPTED", 45}, {"FACILITY_NOT_SUBSCRIBED", 50}, {"OUTGOING_CALL_BARRED", 52},
	{"INCOMING_CALL_BARRED", 54}, {"BEARERCAPABILITY_NOTAUTH", 57}, {"BEARERCAPABILITY_NOTAVAIL", 58},
	{"SERVICE_UNAVAILABLE", 63}, {"BEARERCAPABILITY_NOTIMPL", 65}, {"CHAN_NOT_IMPLEMENTED", 66},
	{"FACILITY_NOT_IMPLEMENTED", 69}, {"SERVICE_NOT_IMPLEMENTED", 79}, {"INVALID_CALL_REFERENCE", 81},
	{"INCOMPATIBLE_DESTINATION", 88}, {"INVALID_MSG_UNSPECIFIED", 95}, {"MANDATORY_IE_MISSING", 96},
	{"MESSAGE_TYPE_NONEXIST", 97}, {"WRONG_MESSAGE", 98}, {"IE_NONEXIST", 99},
	{"INVALID_IE_CONTENTS", 100}, {"WRONG_CALL_STATE", 101}, {"RECOVERY_ON_TIMER_EXPIRE", 102},
	{"MANDATORY_IE_LENGTH_ERROR", 103}, {"PROTOCOL_ERROR", 111}, {"INTERWORKING", 127},
	{"SUCCESS", 142}, {"ORIGINATOR_CANCEL", 487}, {"CRASH", 700}, {"SYSTEM_SHUTDOWN", 701},
	{"LOSE_RACE", 702}, {"MANAGER_REQUEST", 703}, {"BLIND_TRANSFER", 800},
	{"ATTENDED_TRANSFER", 801}, {"ALLOTTED_TIMEOUT", 802}, {"USER_CHALLENGE", 803},
	{"MEDIA_TIMEOUT", 804}, {"PICKED_OFF", 805}, {"USER_NOT_REGISTERED", 806},
	{"PROGRESS_TIMEOUT", 807}, {"INVALID_GATEWAY", 808}, {"GATEWAY_DOWN", 809},
	{"INVALID_URL", 810}, {"INVALID_PROFILE", 811}, {"NO_PICKUP", 812}, {"SRTP_READ_ERROR", 813},
	{"BOWOUT", 814}, {"BUSY_EVERYWHERE", 815}, {"DECLINE", 816}, {"DOES_NOT_EXIST_ANYWHERE", 817},
	{"NOT_ACCEPTABLE", 818}, {"UNWANTED", 819}, {"NO_IDENTITY", 820}, {"BAD_IDENTITY_INFO", 821},
	{"UNSUPPORTED_CERTIFICATE", 822}, {"INVALID_IDENTITY", 823}, {"STALE_DATE", 824},
	{"REJECT_ALL", 825},
}

// parseCause is switch_channel_str2cause: a leading digit means a number,
// names are case-insensitive, and anything unknown is NORMAL_CLEARING.
func parseCause(s string) string {
	s = strings.TrimSpace(s)
	if s != "" && s[0] >= '0' && s[0] <= '9' {
		n := 0
		for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			n = n*10 + int(s[i]-'0')
		}
		for _, c := range hangupCauses {
			if c.value == n {
				return c.name
			}
		}
		return "UNKNOWN"
	}
	for _, c := range hangupCauses {
		if strings.EqualFold(c.name, s) {
			return c.name
		}
	}
	return "NORMAL_CLEARING"
}

// causeKnown reports whether s names a cause exactly (case-insensitive).
func causeKnown(s string) (string, bool) {
	for _, c := range hangupCauses {
		if strings.EqualFold(c.name, s) {
			return c.name, true
		}
	}
	return "", false
}

// causeQ850 is switch_channel_cause_q850: the enum value up to 127, else 16.
func causeQ850(name string) int {
	for _, c := range hangupCauses {
		if c.name == name {
			if c.value <= 127 {
				return c.value
			}
			return 16
		}
	}
	return 16
}
