package homeward

import (
	"context"
	"time"
)

// PhaseSummary is a phase of a channel at a glance: its lists, and the
// entries of each direction by state and by answer.
type PhaseSummary struct {
	Phase   *Phase         `json:"phase"`
	Lists   []*ReturnList  `json:"lists"`
	ByState map[string]int `json:"by_state"` // "outgoing.pending", "incoming.answered"…
	ByCode  map[string]int `json:"by_answer"`
}

// EntryCandidate is one of our records that may be the child of a
// received list's entry, as the linkage engine scored it.
type EntryCandidate struct {
	EntryID     int64           `json:"entry_id"`
	EntityType  string          `json:"entity_type"` // EntityCase or EntityLocated
	EntityID    int64           `json:"entity_id"`
	Probability float64         `json:"probability"`
	Explanation []MatchEvidence `json:"explanation,omitempty"`
}

// CaseListing is a case's entry on a list, for the case page.
type CaseListing struct {
	List  *ReturnList `json:"list"`
	Entry *ListEntry  `json:"entry"`
}

// AnswerRow is an answer read from a filled-in spreadsheet, with the row it
// came from.
type AnswerRow struct {
	Row    int
	Answer Answer
}

// RowProblem is what is wrong with one row of an imported file.
type RowProblem struct {
	Row     int    `json:"row"`
	Column  string `json:"column,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// AnswerImport is the outcome of importing a filled-in answer sheet.
type AnswerImport struct {
	Rows     int          `json:"rows"`
	Recorded int          `json:"recorded"`
	Problems []RowProblem `json:"problems,omitempty"`
}

// ListService keeps channels, phases, return lists, their entries and the
// answers to them. Lists belong to an organisation; liaisons, supervisors
// and administrators build and send them, and a supervisor other than the
// one who asked seals them. Every change appends an event to the list, and
// to the case it concerns, in the same transaction.
type ListService interface {
	CreateChannel(ctx context.Context, ch *Channel) error
	FindChannels(ctx context.Context) ([]*Channel, error)
	FindChannelByID(ctx context.Context, id int64) (*Channel, error)
	FindPhases(ctx context.Context, channelID int64) ([]*Phase, error)
	// ChannelSummary returns each phase of a channel, newest first.
	ChannelSummary(ctx context.Context, channelID int64) ([]*PhaseSummary, error)
	// OpenPhase opens the next phase of a channel. With carry, a draft
	// list of the new phase takes every entry of the previous phase's
	// outgoing lists answered "more identifiers needed", "deferred", "no
	// record", or not at all; the list, titled title (or after the
	// channel and the phase when empty), is returned.
	OpenPhase(ctx context.Context, channelID int64, carry bool, title string) (*Phase, *ReturnList, error)

	// CreateList starts an outgoing draft list in a phase of a channel.
	CreateList(ctx context.Context, l *ReturnList) error
	FindLists(ctx context.Context, f ListFilter) ([]*ReturnList, error)
	FindListByID(ctx context.Context, id int64) (*ReturnList, error)
	// FindEntries returns a list's entries in order, those removed last.
	FindEntries(ctx context.Context, listID int64) ([]*ListEntry, error)
	FindEntryByID(ctx context.Context, id int64) (*ListEntry, error)
	// EntryHistory returns the entries an entry continues, earliest first,
	// ending with the entry itself.
	EntryHistory(ctx context.Context, id int64) ([]*ListEntry, error)
	// FindListingsOfCase returns the entries of a case on every list.
	FindListingsOfCase(ctx context.Context, caseID int64) ([]*CaseListing, error)

	// AddEntries puts cases on an outgoing list (each needs consent to
	// share with a mediator) and returns the list and the linked siblings
	// of those cases that are not on it yet, to be proposed together.
	AddEntries(ctx context.Context, listID int64, caseIDs []int64, version int) (*ReturnList, []int64, error)
	RemoveEntry(ctx context.Context, listID, entryID int64, version int) (*ReturnList, error)
	SetProfile(ctx context.Context, listID int64, p DisclosureProfile, version int) (*ReturnList, error)
	// RequestSeal asks for the working revision to be sealed.
	RequestSeal(ctx context.Context, listID int64, version int) (*ReturnList, error)
	// Seal freezes the working revision: only a supervisor who did not ask
	// for it may. Cases on it at stage verified move to listed.
	Seal(ctx context.Context, listID int64, version int) (*ReturnList, error)
	Withdraw(ctx context.Context, listID int64, reason string, version int) (*ReturnList, error)
	Close(ctx context.Context, listID int64, version int) (*ReturnList, error)
	Revisions(ctx context.Context, listID int64) ([]*ListRevision, error)
	Diff(ctx context.Context, listID int64, from, to int) (*ListDiff, error)
	// RevisionDocument returns a sealed or received revision as it left or
	// arrived, and records the export.
	RevisionDocument(ctx context.Context, listID int64, revision int) (*ListDocument, error)

	// RecordAnswer records an answer about an entry: on an outgoing list
	// (typed in from a letter), with its effects on the case; on a
	// received list, our answer to send back.
	RecordAnswer(ctx context.Context, entryID int64, a *Answer) error
	FindAnswers(ctx context.Context, entryID int64) ([]*Answer, error)
	// ImportAnswers records the answers of a filled-in sheet of an
	// outgoing list: all or nothing, unless keepGood, when the good rows
	// are recorded and the others reported.
	ImportAnswers(ctx context.Context, listID int64, rows []AnswerRow, keepGood bool) (*AnswerImport, error)

	FindCandidates(ctx context.Context, entryID int64) ([]*EntryCandidate, error)
	// SaveCandidates replaces the candidates of a received list's entries
	// (the system's matching does this).
	SaveCandidates(ctx context.Context, listID int64, cs []EntryCandidate) error

	FindTasks(ctx context.Context, caseID int64) ([]*Task, error)
	CompleteTask(ctx context.Context, id int64, note string) (*Task, error)
}

// MessageFilter selects welfare messages.
type MessageFilter struct {
	CaseID  int64
	EntryID int64
	State   MessageState
}

// WelfareService keeps the welfare channel. Caseworkers, supervisors and
// administrators write messages; a supervisor other than the writer
// approves them, which queues them for the next bundle. A message is never
// written or approved for a case without consent to share with a mediator.
type WelfareService interface {
	WriteMessage(ctx context.Context, m *WelfareMessage) error
	ApproveMessage(ctx context.Context, id int64, version int) (*WelfareMessage, error)
	FindMessages(ctx context.Context, f MessageFilter) ([]*WelfareMessage, error)
	// FindMessageByID returns a message with its photo.
	FindMessageByID(ctx context.Context, id int64) (*WelfareMessage, error)
	// MarkRead records that a received message was read, and queues the
	// read receipt for its writer.
	MarkRead(ctx context.Context, id int64) (*WelfareMessage, error)
}

// OutboxItem is a document waiting for the next bundle to a party.
type OutboxItem struct {
	ID   int64
	Kind string
	// Body is the document's body for us to sign; Signed, a document
	// already signed (by us earlier, or by its author when we relay it).
	Body   []byte
	Signed []byte
	// Files are the attachments the document refers to, by SHA-256.
	Files []string
}

// OutgoingDraft is what the next bundle to a party on a channel carries.
type OutgoingDraft struct {
	Channel  *Channel
	Self     *Party
	To       *Party
	Parties  map[int64]*Party // the channel's three
	Sequence int64
	Previous string
	Acks     []BundleAck
	Items    []OutboxItem
	Files    map[string][]byte
}

// OutgoingBundle is a bundle made from a draft, to record.
type OutgoingBundle struct {
	Bundle Bundle
	// Items are the outbox items it carries, with the document as signed.
	Items  map[int64][]byte
	File   []byte
	Expiry time.Time
}

// BundleFilter selects bundles.
type BundleFilter struct {
	Direction BundleDirection
	Status    BundleStatus
	ChannelID int64
	Limit     int
}

// InboundResult is what storing an arriving bundle did.
type InboundResult struct {
	Bundle    *Bundle
	Duplicate bool // an identical copy of a bundle already opened: nothing changed
	Held      bool // a gap before it: held, nothing applied
	// Received are the received lists that came or changed, whose entries
	// are to be linked against our records.
	Received []int64
}

// BundleLedger is the store's side of bundles: what is waiting to leave,
// the streams' sequence numbers, and what arriving bundles carry. The
// bundle service, which holds the keys, is its one user.
type BundleLedger interface {
	// QueueList queues the sealed revision of an outgoing list for the
	// mediator.
	QueueList(ctx context.Context, listID int64, version int) (*ReturnList, error)
	// QueueAnswers queues our answers to a received list not sent yet, and
	// returns how many.
	QueueAnswers(ctx context.Context, listID int64) (*ReturnList, int, error)
	// PendingOutgoing returns what the next bundle to a party on a channel
	// would carry (toID 0: the channel's mediator); receipts selects the
	// receipts only (a bundle outside the stream, sequence 0).
	PendingOutgoing(ctx context.Context, channelID, toID int64, receipts bool) (*OutgoingDraft, error)
	// RecordOutgoing records a bundle made from a draft: its sequence must
	// still be the next and its items still waiting (else ECONFLICT).
	RecordOutgoing(ctx context.Context, b *OutgoingBundle) (*Bundle, error)
	// ApplyIncoming stores what an arriving bundle carries, after the
	// stream's checks, in one transaction: an identical copy of a bundle
	// already opened is a no-op (duplicate true); an older sequence is a
	// replay and refused; a gap holds the bundle until the missing one
	// arrives or a supervisor accepts the gap.
	ApplyIncoming(ctx context.Context, in *InboundBundle) (*InboundResult, error)
	// RecordRefusal records a refused bundle: its reason and facts, none of
	// its content.
	RecordRefusal(ctx context.Context, b *Bundle) error
	// NextHeld returns the held bundle that now follows its stream's last
	// opened one, if any.
	NextHeld(ctx context.Context, afterID int64) (*Bundle, []byte, error)
	// AcceptGap lets a held bundle be opened although earlier ones are
	// missing; only a supervisor may. It returns the held file.
	AcceptGap(ctx context.Context, id int64) (*Bundle, []byte, error)
	FindBundles(ctx context.Context, f BundleFilter) ([]*Bundle, error)
	FindBundleByID(ctx context.Context, id int64) (*Bundle, error)
	// BundleFile returns the file of a bundle we made, and records the
	// download.
	BundleFile(ctx context.Context, id int64) ([]byte, error)
	// ListBundles returns the bundles that carried a list, and its answers.
	ListBundles(ctx context.Context, listID int64) ([]*Bundle, error)
}

// BundleService makes and opens bundles; it holds this installation's keys.
type BundleService interface {
	// CreateBundle packs what waits for a party on a channel into a bundle.
	CreateBundle(ctx context.Context, channelID, toID int64) (*Bundle, error)
	// SendList queues a list's sealed revision for the mediator and makes
	// the bundle.
	SendList(ctx context.Context, listID int64, version int) (*Bundle, error)
	// SendAnswers queues our answers to a received list and makes the bundle.
	SendAnswers(ctx context.Context, listID int64) (*Bundle, error)
	// OpenBundle checks and stores an arriving bundle. A refusal is an
	// EINVALID error naming the reason, and nothing of the bundle is
	// stored but the record of its refusal.
	OpenBundle(ctx context.Context, file []byte) (*Bundle, error)
	// AcceptGap opens a held bundle despite a gap before it.
	AcceptGap(ctx context.Context, id int64) (*Bundle, error)
	FindBundles(ctx context.Context, f BundleFilter) ([]*Bundle, error)
	FindBundleByID(ctx context.Context, id int64) (*Bundle, error)
	BundleFile(ctx context.Context, id int64) ([]byte, error)
	ListBundles(ctx context.Context, listID int64) ([]*Bundle, error)
}
