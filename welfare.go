package homeward

import (
	"strings"
	"time"
)

// Case event actions of the welfare channel.
const (
	ActionMessageWrite    = "message_write"
	ActionMessageApprove  = "message_approve"
	ActionMessageSend     = "message_send"
	ActionMessageReceive  = "message_receive"
	ActionMessageRead     = "message_read"
	ActionMessageReceipt  = "message_receipt" // a delivered or read receipt came back
	ActionMessageDelivery = "message_delivery"
)

// MaxMessageLength is the longest welfare message, as for a Red Cross Message.
const MaxMessageLength = 1500

// MaxMessagePhoto bounds the photo a welfare message may carry.
const MaxMessagePhoto = 5 << 20

// MessageDirection says whether a welfare message is ours or came to us.
type MessageDirection string

const (
	MessageOutgoing MessageDirection = "outgoing"
	MessageIncoming MessageDirection = "incoming"
	MessageRelayed  MessageDirection = "relayed" // carried by us as the mediator
)

// MessageState is where a welfare message stands. Ours: draft → approved
// (by a supervisor other than the writer) → sent → delivered → read.
// Received: delivered → read.
type MessageState string

const (
	MessageDraft     MessageState = "draft"
	MessageApproved  MessageState = "approved"
	MessageSent      MessageState = "sent"
	MessageDelivered MessageState = "delivered"
	MessageRead      MessageState = "read"
)

var messageRank = map[MessageState]int{MessageDraft: 0, MessageApproved: 1, MessageSent: 2, MessageDelivered: 3, MessageRead: 4}

// Advance returns the later of s and to: a late delivered receipt does not
// undo a read one.
func (s MessageState) Advance(to MessageState) MessageState {
	if messageRank[to] > messageRank[s] {
		return to
	}
	return s
}

// WelfareMessage is news about a child or for a child, in the style of a
// Red Cross Message: written by a caseworker for the family (or by the
// other side about the child), approved by a supervisor before it leaves,
// carried in bundles through the mediator, with delivered and read
// receipts. It is addressed by the list entry both sides know the child by.
type WelfareMessage struct {
	ID        int64            `json:"id"`
	UID       string           `json:"uid"`
	OrgID     int64            `json:"org_id"`
	CaseID    int64            `json:"case_id,omitempty"` // ours: the child's case
	EntryID   int64            `json:"entry_id"`
	EntryRef  string           `json:"entry_ref"`
	ChannelID int64            `json:"channel_id"`
	Direction MessageDirection `json:"direction"`
	Text      string           `json:"text"`
	// Photo is the optional photo; PhotoType its content type.
	Photo     []byte `json:"-"`
	PhotoType string `json:"photo_type,omitempty"`
	PhotoSize int    `json:"photo_size,omitempty"`

	State       MessageState `json:"state"`
	AuthorID    int64        `json:"author_id,omitempty"`
	AuthorParty int64        `json:"author_party,omitempty"` // received: the side that wrote it
	ApprovedBy  int64        `json:"approved_by,omitempty"`
	ApprovedAt  *time.Time   `json:"approved_at,omitempty"`
	WrittenAt   time.Time    `json:"written_at"`
	SentAt      *time.Time   `json:"sent_at,omitempty"`
	DeliveredAt *time.Time   `json:"delivered_at,omitempty"`
	ReadAt      *time.Time   `json:"read_at,omitempty"`

	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
}

// Validate checks a message before it is stored.
func (m *WelfareMessage) Validate() error {
	switch {
	case strings.TrimSpace(m.Text) == "":
		return FieldErrorf(EINVALID, "text", "Write the message.")
	case len([]rune(m.Text)) > MaxMessageLength:
		return FieldErrorf(EINVALID, "text", "A message has at most %d characters; this one has %d.", MaxMessageLength, len([]rune(m.Text)))
	case len(m.Photo) > MaxMessagePhoto:
		return FieldErrorf(EINVALID, "photo", "The photo is larger than %d MB.", MaxMessagePhoto>>20)
	case len(m.Photo) > 0 && m.PhotoType != "image/jpeg" && m.PhotoType != "image/png":
		return FieldErrorf(EINVALID, "photo", "The photo must be a JPEG or PNG image.")
	}
	return nil
}

// ReceiptKind is what a message receipt says.
type ReceiptKind string

const (
	ReceiptDelivered ReceiptKind = "delivered"
	ReceiptRead      ReceiptKind = "read"
)
