package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/web"
)

// access is who may get past a route's guard: the roles (by their letter in
// roleLetters) of the organisation that holds the route's record, and those
// of another organisation. A route without a record in its path (a list, a
// form, a search) has the same answer for both unless the installation's
// first organisation is special to it. Public routes are for everyone,
// signed in or not.
type access struct {
	own, other string
	public     bool
}

// roleLetters names each role by one letter in the table below.
var roleLetters = map[homeward.Role]byte{
	homeward.RoleAdmin: 'a', homeward.RoleSupervisor: 's', homeward.RoleCaseworker: 'c',
	homeward.RoleAnalyst: 'n', homeward.RoleLiaison: 'l',
}

const (
	everyone   = "ascnl"
	readers    = "ascl" // every role that reads children's records: not the analyst
	writers    = "asc"  // every role that writes records
	exchangers = "asl"  // the roles that exchange lists
	nobody     = ""
)

// authzTable is what each route allows. Every route of the router must have
// an entry: a route added without one fails TestEveryRouteAllowsOnlyTheRolesItsTableNames,
// which prints the entry the route would have as it is served now, to be
// checked before it is copied here (HOMEWARD_AUTHZ_DUMP=1 prints them all,
// with each caller's status).
var authzTable = map[string]access{
	// Pages.
	"GET /{$}":             {own: everyone, other: everyone},
	"GET /login":           {public: true},
	"POST /login":          {public: true},
	"POST /logout":         {public: true},
	"POST /lang":           {public: true},
	"GET /account":         {own: everyone, other: everyone},
	"POST /account/tokens": {own: everyone, other: everyone},
	// Another user's token: only an administrator of that user's
	// organisation ends it.
	"POST /account/tokens/{id}/revoke":      {own: "a", other: nobody},
	"POST /account/totp":                    {own: everyone, other: everyone},
	"POST /account/totp/off":                {own: everyone, other: everyone},
	"POST /account/password":                {own: everyone, other: everyone},
	"GET /cases":                            {own: readers, other: readers},
	"GET /cases/export":                     {own: readers, other: readers},
	"GET /cases/new":                        {own: everyone, other: everyone},
	"POST /cases":                           {own: writers, other: writers},
	"GET /cases/{id}":                       {own: readers, other: nobody},
	"GET /cases/{id}/edit":                  {own: readers, other: nobody},
	"POST /cases/{id}":                      {own: writers, other: nobody},
	"POST /cases/{id}/transition":           {own: readers, other: nobody},
	"POST /cases/{id}/erase":                {own: "as", other: nobody},
	"GET /cases/{id}/records/{kind}":        {own: readers, other: nobody},
	"POST /cases/{id}/records/{kind}":       {own: writers, other: nobody},
	"POST /cases/{id}/attachments":          {own: writers, other: nobody},
	"GET /attachments/{id}":                 {own: writers, other: nobody},
	"POST /verifications/{id}/approve":      {own: "as", other: nobody},
	"GET /review":                           {own: readers, other: readers},
	"GET /matches/{id}":                     {own: readers, other: nobody},
	"POST /matches/{id}":                    {own: readers, other: nobody},
	"GET /located":                          {own: readers, other: readers},
	"GET /located/export":                   {own: readers, other: readers},
	"GET /located/new":                      {own: everyone, other: everyone},
	"POST /located":                         {own: writers, other: writers},
	"GET /located/{id}":                     {own: readers, other: nobody},
	"GET /located/{id}/edit":                {own: readers, other: nobody},
	"POST /located/{id}":                    {own: writers, other: nobody},
	"GET /import/{kind}":                    {own: everyone, other: everyone},
	"POST /import/{kind}":                   {own: writers, other: writers},
	"GET /imports/{id}":                     {own: "c", other: nobody}, // an upload is its uploader's
	"POST /imports/{id}":                    {own: "c", other: nobody},
	"GET /imports/{id}/rejected":            {own: "c", other: nobody},
	"GET /admin/users":                      {own: "a", other: "a"},
	"POST /admin/users":                     {own: "a", other: nobody},
	"POST /admin/users/{id}":                {own: "a", other: nobody},
	"POST /admin/users/{id}/password":       {own: "a", other: nobody},
	"POST /admin/users/{id}/totp/off":       {own: "a", other: nobody},
	"GET /admin/orgs":                       {own: "a", other: "a"},
	"POST /admin/orgs":                      {own: "a", other: nobody}, // only the first organisation's admins
	"GET /admin/orgs/{id}/edit":             {own: "a", other: "a"},    // shows another organisation's form; saving it is refused
	"POST /admin/orgs/{id}":                 {own: "a", other: nobody},
	"GET /exchange":                         {own: exchangers, other: exchangers},
	"POST /channels":                        {own: exchangers, other: exchangers},
	"GET /channels/{id}":                    {own: exchangers, other: nobody},
	"POST /channels/{id}/phases":            {own: exchangers, other: nobody},
	"POST /channels/{id}/bundles":           {own: exchangers, other: nobody},
	"POST /lists":                           {own: exchangers, other: nobody},
	"GET /lists/{id}":                       {own: exchangers, other: nobody},
	"POST /lists/{id}/entries":              {own: exchangers, other: nobody},
	"POST /lists/{id}/entries/{eid}/remove": {own: exchangers, other: nobody},
	"POST /lists/{id}/profile":              {own: exchangers, other: nobody},
	"POST /lists/{id}/seal-request":         {own: exchangers, other: nobody},
	"POST /lists/{id}/seal":                 {own: "as", other: nobody},
	"POST /lists/{id}/send":                 {own: exchangers, other: nobody},
	"POST /lists/{id}/send-answers":         {own: exchangers, other: nobody},
	"POST /lists/{id}/link":                 {own: nobody, other: nobody}, // the test server has no Linker: 404 for all
	"POST /lists/{id}/withdraw":             {own: "as", other: nobody},
	"POST /lists/{id}/close":                {own: "as", other: nobody},
	"GET /lists/{id}/diff":                  {own: exchangers, other: nobody},
	"GET /lists/{id}/sheet.xlsx":            {own: exchangers, other: nobody},
	"GET /lists/{id}/print.pdf":             {own: exchangers, other: nobody},
	"POST /lists/{id}/answers/import":       {own: exchangers, other: nobody},
	"GET /entries/{id}":                     {own: exchangers, other: nobody},
	"POST /entries/{id}/answers":            {own: exchangers, other: nobody},
	"POST /entries/{id}/messages":           {own: "as", other: nobody},
	"GET /bundles":                          {own: exchangers, other: exchangers},
	"POST /bundles":                         {own: exchangers, other: exchangers},
	"GET /bundles/{id}":                     {own: exchangers, other: nobody},
	"GET /bundles/{id}/file":                {own: exchangers, other: nobody},
	"POST /bundles/{id}/accept-gap":         {own: "as", other: nobody},
	"GET /parties":                          {own: exchangers, other: exchangers},
	"POST /parties":                         {own: "a", other: nobody},
	"POST /parties/{id}/confirm":            {own: "a", other: nobody},
	"POST /parties/{id}/retire":             {own: "a", other: nobody},
	"POST /cases/{id}/lists":                {own: exchangers, other: nobody},
	"POST /cases/{id}/messages":             {own: writers, other: nobody},
	"POST /tasks/{id}/done":                 {own: writers, other: nobody},
	"POST /messages/{id}/approve":           {own: "as", other: nobody},
	"POST /messages/{id}/read":              {own: readers, other: nobody},
	"GET /messages/{id}/photo":              {own: readers, other: nobody},

	// The API.
	"GET /api/v1/openapi.json": {public: true},
	"GET /api/v1/me":           {own: everyone, other: everyone},
	"GET /api/v1/me/tokens":    {own: everyone, other: everyone},
	"POST /api/v1/me/tokens":   {own: everyone, other: everyone},
	// The caller's own tokens only: another user's is not found.
	"DELETE /api/v1/me/tokens/{id}":                {own: nobody, other: nobody},
	"GET /api/v1/cases":                            {own: readers, other: readers},
	"POST /api/v1/cases":                           {own: writers, other: writers},
	"GET /api/v1/cases/export":                     {own: readers, other: readers},
	"GET /api/v1/cases/{id}":                       {own: readers, other: nobody},
	"PUT /api/v1/cases/{id}":                       {own: writers, other: nobody},
	"POST /api/v1/cases/{id}/erase":                {own: "as", other: nobody},
	"POST /api/v1/located/{id}/erase":              {own: "as", other: nobody},
	"GET /api/v1/cases/{id}/events":                {own: readers, other: nobody},
	"GET /api/v1/located":                          {own: readers, other: readers},
	"POST /api/v1/located":                         {own: writers, other: writers},
	"GET /api/v1/located/export":                   {own: readers, other: readers},
	"GET /api/v1/located/{id}":                     {own: readers, other: nobody},
	"PUT /api/v1/located/{id}":                     {own: writers, other: nobody},
	"GET /api/v1/located/{id}/events":              {own: readers, other: nobody},
	"POST /api/v1/import":                          {own: writers, other: writers},
	"GET /api/v1/users":                            {own: "a", other: "a"},
	"POST /api/v1/users":                           {own: "a", other: nobody},
	"GET /api/v1/users/{id}":                       {own: "a", other: nobody},
	"PUT /api/v1/users/{id}":                       {own: "a", other: nobody},
	"GET /api/v1/orgs":                             {own: everyone, other: everyone},
	"POST /api/v1/orgs":                            {own: "a", other: nobody}, // only the first organisation's admins
	"GET /api/v1/orgs/{id}":                        {own: everyone, other: everyone},
	"PUT /api/v1/orgs/{id}":                        {own: "a", other: nobody},
	"GET /api/v1/cases/counts":                     {own: everyone, other: everyone},
	"GET /api/v1/me/waiting":                       {own: everyone, other: everyone},
	"GET /api/v1/matches":                          {own: readers, other: readers},
	"GET /api/v1/matches/{id}":                     {own: readers, other: nobody},
	"GET /api/v1/matches/{id}/history":             {own: readers, other: nobody},
	"POST /api/v1/matches/{id}/decisions":          {own: readers, other: nobody},
	"GET /api/v1/cases/{id}/matches":               {own: readers, other: readers},
	"GET /api/v1/located/{id}/matches":             {own: readers, other: readers},
	"GET /api/v1/cases/{id}/workflow":              {own: readers, other: nobody},
	"POST /api/v1/cases/{id}/transitions":          {own: readers, other: nobody},
	"GET /api/v1/cases/{id}/verifications":         {own: readers, other: nobody},
	"POST /api/v1/cases/{id}/verifications":        {own: writers, other: nobody},
	"POST /api/v1/verifications/{id}/approval":     {own: "as", other: nobody},
	"GET /api/v1/cases/{id}/best-interests":        {own: readers, other: nobody},
	"POST /api/v1/cases/{id}/best-interests":       {own: writers, other: nobody},
	"GET /api/v1/cases/{id}/handovers":             {own: readers, other: nobody},
	"POST /api/v1/cases/{id}/handovers":            {own: writers, other: nobody},
	"GET /api/v1/cases/{id}/reunifications":        {own: readers, other: nobody},
	"POST /api/v1/cases/{id}/reunifications":       {own: writers, other: nobody},
	"GET /api/v1/cases/{id}/follow-ups":            {own: readers, other: nobody},
	"POST /api/v1/cases/{id}/follow-ups":           {own: writers, other: nobody},
	"GET /api/v1/cases/{id}/attachments":           {own: readers, other: nobody},
	"POST /api/v1/cases/{id}/attachments":          {own: writers, other: nobody},
	"GET /api/v1/attachments/{id}/content":         {own: writers, other: nobody},
	"GET /api/v1/parties":                          {own: exchangers, other: exchangers},
	"GET /api/v1/parties/self":                     {own: exchangers, other: exchangers},
	"POST /api/v1/parties":                         {own: "a", other: nobody},
	"POST /api/v1/parties/{id}/confirm":            {own: "a", other: nobody},
	"POST /api/v1/parties/{id}/retire":             {own: "a", other: nobody},
	"GET /api/v1/channels":                         {own: exchangers, other: exchangers},
	"POST /api/v1/channels":                        {own: exchangers, other: exchangers},
	"GET /api/v1/channels/{id}":                    {own: exchangers, other: nobody},
	"GET /api/v1/channels/{id}/summary":            {own: exchangers, other: nobody},
	"POST /api/v1/channels/{id}/phases":            {own: exchangers, other: nobody},
	"POST /api/v1/channels/{id}/bundles":           {own: exchangers, other: nobody},
	"GET /api/v1/lists":                            {own: exchangers, other: exchangers},
	"POST /api/v1/lists":                           {own: exchangers, other: nobody},
	"GET /api/v1/lists/{id}":                       {own: exchangers, other: nobody},
	"GET /api/v1/lists/{id}/entries":               {own: exchangers, other: nobody},
	"POST /api/v1/lists/{id}/entries":              {own: exchangers, other: nobody},
	"POST /api/v1/lists/{id}/entries/{eid}/remove": {own: exchangers, other: nobody},
	"PUT /api/v1/lists/{id}/profile":               {own: exchangers, other: nobody},
	"POST /api/v1/lists/{id}/seal-request":         {own: exchangers, other: nobody},
	"POST /api/v1/lists/{id}/seal":                 {own: "as", other: nobody},
	"POST /api/v1/lists/{id}/send":                 {own: exchangers, other: nobody},
	"POST /api/v1/lists/{id}/send-answers":         {own: exchangers, other: nobody},
	"POST /api/v1/lists/{id}/withdraw":             {own: "as", other: nobody},
	"POST /api/v1/lists/{id}/close":                {own: "as", other: nobody},
	"GET /api/v1/lists/{id}/revisions":             {own: exchangers, other: nobody},
	"GET /api/v1/lists/{id}/revisions/{rev}":       {own: exchangers, other: nobody},
	"GET /api/v1/lists/{id}/diff":                  {own: exchangers, other: nobody},
	"POST /api/v1/lists/{id}/answers/import":       {own: exchangers, other: nobody},
	"GET /api/v1/lists/{id}/bundles":               {own: exchangers, other: nobody},
	"GET /api/v1/entries/{id}":                     {own: exchangers, other: nobody},
	"GET /api/v1/entries/{id}/answers":             {own: exchangers, other: nobody},
	"POST /api/v1/entries/{id}/answers":            {own: exchangers, other: nobody},
	"GET /api/v1/entries/{id}/candidates":          {own: exchangers, other: nobody},
	"GET /api/v1/entries/{id}/history":             {own: exchangers, other: nobody},
	"GET /api/v1/bundles":                          {own: exchangers, other: exchangers},
	"POST /api/v1/bundles":                         {own: exchangers, other: exchangers},
	"GET /api/v1/bundles/{id}":                     {own: exchangers, other: nobody},
	"GET /api/v1/bundles/{id}/file":                {own: exchangers, other: nobody},
	"POST /api/v1/bundles/{id}/accept-gap":         {own: "as", other: nobody},
	"GET /api/v1/messages":                         {own: readers, other: readers},
	"POST /api/v1/messages":                        {own: writers, other: nobody},
	"POST /api/v1/messages/{id}/approve":           {own: "as", other: nobody},
	"POST /api/v1/messages/{id}/read":              {own: readers, other: nobody},
	"GET /api/v1/cases/{id}/tasks":                 {own: readers, other: nobody},
	"POST /api/v1/tasks/{id}/done":                 {own: writers, other: nobody},
	"/api/":                                        {own: nobody, other: nobody}, // the catch-all answers 404 to every unknown API path
}

// A write carries version 999, which no record has reached, so that a
// write that gets past the guard stops at the version check and changes
// nothing; writeForms and writeJSON add the fields a handler validates
// before it asks the store, so that the request reaches the guard.
// "{cases}" and the like stand for the fixture's record of that kind.
var (
	writeForms = map[string]url.Values{
		"POST /cases":                     {"given_name": {"Formenko"}, "family_name": {"Formenko"}},
		"POST /cases/{id}":                {"given_name": {"Formenko"}, "family_name": {"Formenko"}},
		"POST /located":                   {"given_name": {"Formenko"}, "family_name": {"Formenko"}},
		"POST /located/{id}":              {"given_name": {"Formenko"}, "family_name": {"Formenko"}},
		"POST /admin/orgs":                {"name": {"Formenko office"}, "kind": {"ngo"}},
		"POST /admin/orgs/{id}":           {"name": {"Formenko office"}, "kind": {"ngo"}},
		"POST /admin/users":               {"login": {"formenko"}, "display_name": {"Formenko"}, "role": {"caseworker"}, "org_id": {"{orgs}"}},
		"POST /admin/users/{id}":          {"display_name": {"Formenko"}, "role": {"caseworker"}, "locale": {"uk"}},
		"POST /parties":                   {"name": {"Formenko commission"}, "kind": {"agency"}},
		"POST /parties/{id}/retire":       {"reason": {"test"}},
		"POST /channels":                  {"name": {"Formenko channel"}, "mediator_id": {"{parties}"}, "counterpart_id": {"{counterpart}"}},
		"POST /lists":                     {"channel_id": {"{channels}"}, "phase": {"1"}, "title": {"Formenko list"}, "profile": {"standard"}},
		"POST /lists/{id}/entries":        {"case_ids": {"{reference}"}},
		"POST /lists/{id}/profile":        {"profile": {"standard"}},
		"POST /lists/{id}/withdraw":       {"reason": {"test"}},
		"POST /lists/{id}/send-answers":   {"to_id": {"{parties}"}},
		"POST /channels/{id}/bundles":     {"to_id": {"{parties}"}},
		"POST /cases/{id}/lists":          {"list_id": {"{lists}"}},
		"POST /entries/{id}/answers":      {"code": {"no_record"}, "answered_on": {"20.03.2026"}},
		"POST /entries/{id}/messages":     {"text": {"Formenko sends love"}},
		"POST /cases/{id}/messages":       {"text": {"Formenko sends love"}},
		"POST /cases/{id}/records/{kind}": {"method": {"documents"}, "outcome": {"confirmed"}, "performed_by": {"Formenko"}, "performed_on": {"10.01.2026"}},
		"POST /bundles/{id}/accept-gap":   {"reason": {"test"}},
		"POST /tasks/{id}/done":           {"note": {"test"}},
		// A confirmation that is not the reference: refused after the
		// checks of who may, and nothing erased.
		"POST /cases/{id}/erase": {"reason": {"duplicate"}, "confirm": {"not the reference"}},
		"POST /matches/{id}":     {"action": {"reject"}, "reason": {"different_person"}, "note": {"test"}},
		"POST /account/tokens":   {"name": {"test"}},
		// A confirmation that differs is refused before the password is
		// checked: no failed attempt for the throttle to count.
		"POST /account/password": {"current": {testPassword}, "new": {"a new password 1"}, "confirm": {"another password 2"}},
	}
	writeJSON = map[string]string{
		"POST /api/v1/cases":                     `{"given_name": "Formenko", "family_name": "Formenko"}`,
		"PUT /api/v1/cases/{id}":                 `{"given_name": "Formenko", "family_name": "Formenko", "version": 999}`,
		"POST /api/v1/located":                   `{"given_name": "Formenko", "family_name": "Formenko"}`,
		"PUT /api/v1/located/{id}":               `{"given_name": "Formenko", "family_name": "Formenko", "version": 999}`,
		"POST /api/v1/users":                     `{"login": "formenko2", "display_name": "Formenko", "role": "caseworker", "org_id": {orgs}}`,
		"PUT /api/v1/users/{id}":                 `{"login": "worker-a2", "org_id": {orgs}, "display_name": "Formenko", "role": "caseworker", "version": 999}`,
		"POST /api/v1/orgs":                      `{"name": "Formenko bureau", "kind": "ngo"}`,
		"PUT /api/v1/orgs/{id}":                  `{"name": "Formenko bureau", "kind": "ngo", "version": 999}`,
		"POST /api/v1/matches/{id}/decisions":    `{"action": "reject", "reason": "different_person", "note": "test", "version": 999}`,
		"POST /api/v1/cases/{id}/erase":          `{"reason": "not a reason"}`,
		"POST /api/v1/located/{id}/erase":        `{"reason": "not a reason"}`,
		"POST /api/v1/cases/{id}/verifications":  `{"method": "documents", "outcome": "confirmed", "performed_by": "Formenko", "performed_on": "2026-01-10"}`,
		"POST /api/v1/cases/{id}/best-interests": `{"child_wishes": "home", "assessment": "able", "panel": ["one", "two"], "decision": "return", "decided_on": "2026-02-01"}`,
		"POST /api/v1/cases/{id}/handovers":      `{"handover_on": "2026-02-15", "place": "border", "route": "by road", "escort": "escort", "from_country": "RU", "to_country": "UA"}`,
		"POST /api/v1/cases/{id}/reunifications": `{"reunified_on": "2026-02-16", "with_whom": "mother", "relation": "mother", "proof": "certificate"}`,
		"POST /api/v1/cases/{id}/follow-ups":     `{"visited_on": "2026-03-01", "visitor": "worker", "findings": "fine"}`,
		"POST /api/v1/parties":                   `{"name": "Formenko commission", "kind": "agency"}`,
		"POST /api/v1/parties/{id}/retire":       `{"reason": "test", "version": 999}`,
		"POST /api/v1/channels":                  `{"name": "Formenko channel", "mediator_id": {parties}, "counterpart_id": {counterpart}}`,
		"POST /api/v1/lists":                     `{"channel_id": {channels}, "phase": 1, "title": "Formenko list", "profile": "standard"}`,
		"POST /api/v1/lists/{id}/entries":        `{"case_ids": [{cases}], "version": 999}`,
		"PUT /api/v1/lists/{id}/profile":         `{"profile": "standard", "version": 999}`,
		"POST /api/v1/lists/{id}/withdraw":       `{"reason": "test", "version": 999}`,
		"POST /api/v1/entries/{id}/answers":      `{"code": "no_record", "answered_on": "2026-03-20"}`,
		"POST /api/v1/messages":                  `{"case_id": {cases}, "text": "Formenko sends love"}`,
	}
)

// matrixUsers are the signed-in users of the matrix: one of each role in
// the organisation holding the records (A) and in another (B).
var matrixUsers = []struct {
	login string
	role  homeward.Role
	own   bool
}{
	{"admin-a", homeward.RoleAdmin, true}, {"super-a", homeward.RoleSupervisor, true},
	{"worker-a", homeward.RoleCaseworker, true}, {"analyst-a", homeward.RoleAnalyst, true},
	{"liaison-a", homeward.RoleLiaison, true},
	{"admin-b", homeward.RoleAdmin, false}, {"super-b", homeward.RoleSupervisor, false},
	{"worker-b", homeward.RoleCaseworker, false}, {"analyst-b", homeward.RoleAnalyst, false},
	{"liaison-b", homeward.RoleLiaison, false},
}

// matrixFamily is the family name of organisation A's records, which no
// answer to organisation B may carry.
const matrixFamily = "Matrixenko"

// matrixRecords are the records of organisation A that fill the routes'
// path parameters, one of each kind.
type matrixRecords map[string]string

// matrixFixture makes one record of each kind a route names, all held by
// organisation A: a case on a sealed list with a candidate match, an
// attachment, a verification, a task and a welfare message; a located
// record; the exchange's channel, parties and a bundle; an upload; a user
// and the organisation itself.
func (e *env) matrixFixture() matrixRecords {
	e.t.Helper()
	t := e.t
	ch := e.exchangeReady()
	c := e.tracedCase("worker-a", "Oleksandr", matrixFamily, true)
	loc := e.located("worker-a", "Aleksandr", matrixFamily, "Synthetic home")
	m := e.candidate(c, loc, 0.9)

	cl := e.client()
	r := cl.send("POST", fmt.Sprintf("/api/v1/cases/%d/attachments?filename=photo.png", c.ID), "image/png",
		bytes.NewReader(pngBytes), "Authorization", "Bearer "+e.token("worker-a"))
	var att homeward.Attachment
	if err := json.Unmarshal([]byte(r.body), &att); r.status != http.StatusCreated || err != nil {
		t.Fatalf("attachment: status %d: %s", r.status, r.body)
	}
	v := &homeward.Verification{CaseID: c.ID, Method: homeward.VerificationMethod("photo_comparison"),
		Outcome: homeward.VerificationOutcome("confirmed"), PerformedBy: "Synthetic expert",
		PerformedOn: homeward.NewDate(2026, time.January, 12), AttachmentIDs: []int64{att.ID}}
	if err := e.workflow.AddVerification(e.as("worker-a"), v); err != nil {
		t.Fatalf("verification: %v", err)
	}

	list := e.sealedListOf(ch, c)
	entry := e.entryOf(list, c.ID)
	if err := e.lists.RecordAnswer(e.as("liaison-a"), entry.ID, &homeward.Answer{Code: homeward.AnswerMoreIdentifiers,
		On: homeward.NewDate(2026, time.March, 3), Details: homeward.AnswerDetails{Identifiers: []string{"photo"}}}); err != nil {
		t.Fatalf("answer: %v", err)
	}
	tasks, err := e.lists.FindTasks(e.as("liaison-a"), c.ID)
	if err != nil || len(tasks) == 0 {
		t.Fatalf("tasks: %v %v", tasks, err)
	}
	msg := &homeward.WelfareMessage{CaseID: c.ID, Text: "Your sister sends her love. (synthetic)", Photo: pngBytes, PhotoType: "image/png"}
	if err := e.welfare.WriteMessage(e.as("worker-a"), msg); err != nil {
		t.Fatalf("welfare message: %v", err)
	}

	// A file that is no bundle leaves a refused bundle in the inbox: a
	// bundle record without a second installation.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("bundle", "x.hwb")
	fw.Write([]byte("this is not a bundle"))
	mw.Close()
	e.login("liaison-a").send(http.MethodPost, "/bundles", mw.FormDataContentType(), &buf)
	bs, err := e.ledger.FindBundles(e.as("liaison-a"), homeward.BundleFilter{})
	if err != nil || len(bs) == 0 {
		t.Fatalf("bundles: %v %v", bs, err)
	}
	parties, err := e.parties.FindParties(e.as("admin-a"))
	if err != nil {
		t.Fatal(err)
	}
	var mediator, counterpart int64
	for _, p := range parties {
		switch p.Kind {
		case homeward.PartyMediator:
			mediator = p.ID
		case homeward.PartyCounterpart:
			counterpart = p.ID
		}
	}
	if mediator == 0 {
		t.Fatal("no mediator party")
	}
	up := e.login("worker-a").upload("/import/cases", "cases.csv", "Прізвище,Ім'я,Дата народження\nТестенко,Олена,05.03.2015\n")
	upload := idAfter(t, up, "/imports/")

	// A token of a user who is none of the callers: only who may manage
	// that user's tokens passes.
	e.token("worker-a2")
	toks, err := e.usvc.FindAPITokens(e.as("worker-a2"), e.user("worker-a2").ID)
	if err != nil || len(toks) == 0 {
		t.Fatalf("tokens: %v %v", toks, err)
	}
	id := func(n int64) string { return fmt.Sprint(n) }
	return matrixRecords{
		"tokens": id(toks[0].ID),
		"cases":  id(c.ID), "located": id(loc.ID), "matches": id(m.ID), "attachments": id(att.ID),
		"verifications": id(v.ID), "imports": id(upload), "users": id(e.user("worker-a2").ID),
		"orgs": id(e.orgA.ID), "channels": id(ch), "lists": id(list), "entries": id(entry.ID),
		"bundles": id(bs[0].ID), "parties": id(mediator), "tasks": id(tasks[0].ID), "messages": id(msg.ID),
		"revisions": "1", "records": "verification", "import": "cases",
		"counterpart": id(counterpart), "reference": c.Reference,
	}
}

// fill replaces "{kind}" in s with the fixture's record of that kind.
func (recs matrixRecords) fill(s string) string {
	for k, v := range recs {
		s = strings.ReplaceAll(s, "{"+k+"}", v)
	}
	return s
}

// path fills a pattern's parameters with the records: each is named by the
// segment before it ("/lists/{id}/entries/{eid}" is a list and an entry).
func (recs matrixRecords) path(t *testing.T, pattern string) string {
	_, p, ok := strings.Cut(pattern, " ")
	if !ok {
		p = pattern
	}
	p = strings.TrimSuffix(p, "{$}")
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if !strings.HasPrefix(s, "{") {
			continue
		}
		v, ok := recs[segs[i-1]]
		if !ok {
			t.Fatalf("%s: no record for the parameter after %q", pattern, segs[i-1])
		}
		segs[i] = v
	}
	return strings.Join(segs, "/") + pathQueries[pattern]
}

// matrixCSV is a file of one good case, for the import routes.
const matrixCSV = "Прізвище,Ім'я,Дата народження\nФорменко,Олена,05.03.2015\n"

// uploads are the routes that take a file: as a multipart field, or as the
// whole body of the contentType.
var uploads = map[string]struct{ field, name, content, contentType string }{
	"POST /import/{kind}":                    {field: "file", name: "cases.csv", content: matrixCSV},
	"POST /cases/{id}/attachments":           {field: "file", name: "photo.png", content: string(pngBytes)},
	"POST /bundles":                          {field: "bundle", name: "x.hwb", content: "no bundle"},
	"POST /lists/{id}/answers/import":        {field: "file", name: "answers.xlsx", content: "no sheet"},
	"POST /api/v1/import":                    {content: matrixCSV, contentType: "text/csv"},
	"POST /api/v1/cases/{id}/attachments":    {content: string(pngBytes), contentType: "image/png"},
	"POST /api/v1/bundles":                   {content: "no bundle", contentType: "application/octet-stream"},
	"POST /api/v1/lists/{id}/answers/import": {content: "no sheet", contentType: "application/octet-stream"},
}

// pathQueries are the queries a route reads before it asks the store.
var pathQueries = map[string]string{
	"GET /lists/{id}/diff":                "?from=1&to=1",
	"GET /api/v1/lists/{id}/diff":         "?from=1&to=1",
	"POST /api/v1/import":                 "?kind=case",
	"POST /api/v1/cases/{id}/attachments": "?filename=photo.png",
}

// outcome is what one request met at a route's guard.
type outcome int

const (
	passed  outcome = iota // any answer but a refusal: 2xx, 3xx elsewhere, 400, 409, 422
	refused                // 401, 403, 404, or sent to log in
	failed                 // 5xx: a fault, whoever asked
)

func outcomeOf(r response) outcome {
	switch {
	case r.status >= 500:
		return failed
	case r.status == http.StatusTooManyRequests:
		return passed // throttled: the route's own answer, past any guard
	case r.status == http.StatusUnauthorized || r.status == http.StatusForbidden || r.status == http.StatusNotFound:
		return refused
	case r.status == http.StatusSeeOther && strings.HasPrefix(r.header.Get("Location"), "/login"):
		return refused
	}
	return passed
}

// TestEveryRouteAllowsOnlyTheRolesItsTableNames sends every route of the
// router, with its path filled by real records of organisation A, as each
// role of A, each role of B and nobody, and compares who got past the guard
// with authzTable. Writes carry an empty form or JSON object: the check is
// the guard, not the write, so a 400, 409 or 422 is "got past". Reads go
// first and the login and logout last, so that no write changes what a
// later read may see.
func TestEveryRouteAllowsOnlyTheRolesItsTableNames(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		start := time.Now()
		recs := e.matrixFixture()
		type caller struct {
			name string
			role homeward.Role
			own  bool
			c    *client
			auth []string // for the API
		}
		callers := []caller{{name: "anonymous", c: e.client()}}
		for _, u := range matrixUsers {
			callers = append(callers, caller{u.login, u.role, u.own, e.login(u.login), []string{"Authorization", "Bearer " + e.token(u.login)}})
		}

		patterns := web.NewServer(web.Config{}).Patterns()
		rank := func(p string) int {
			switch {
			case p == "POST /logout", p == "POST /login":
				// The logout ends the callers' sessions; the failed
				// logins may throttle the address.
				return 2
			case strings.HasPrefix(p, "GET "):
				return 0
			}
			return 1
		}
		sort.SliceStable(patterns, func(i, j int) bool { return rank(patterns[i]) < rank(patterns[j]) })

		observed := map[string]access{}
		dumped := map[string][]string{}
		for _, pattern := range patterns {
			method, _, ok := strings.Cut(pattern, " ")
			if !ok {
				method = http.MethodGet // a pattern for every method: "/api/"
			}
			path := recs.path(t, pattern)
			var statuses []string
			api := strings.HasPrefix(path, "/api/")
			want, listed := authzTable[pattern]
			var got access
			got.public = true
			for _, cl := range callers {
				var r response
				var hdr []string
				if api {
					hdr = cl.auth
				}
				switch {
				case method == http.MethodGet:
					r = cl.c.get(path, hdr...)
				case uploads[pattern].field != "":
					up := uploads[pattern]
					var buf bytes.Buffer
					mw := multipart.NewWriter(&buf)
					fw, _ := mw.CreateFormFile(up.field, up.name)
					fw.Write([]byte(up.content))
					mw.WriteField("version", "999")
					mw.Close()
					r = cl.c.send(method, path, mw.FormDataContentType(), &buf, hdr...)
				case uploads[pattern].contentType != "":
					up := uploads[pattern]
					r = cl.c.send(method, path, up.contentType, strings.NewReader(up.content), hdr...)
				case api:
					body, ok := writeJSON[pattern]
					if !ok {
						body = `{"version": 999}`
					}
					body = recs.fill(body)
					r = cl.c.send(method, path, "application/json", strings.NewReader(body), hdr...)
				default:
					form := url.Values{"version": {"999"}}
					for k, v := range writeForms[pattern] {
						form[k] = []string{recs.fill(v[0])}
					}
					r = cl.c.postForm(path, form, hdr...)
				}
				statuses = append(statuses, fmt.Sprintf("%s %d", cl.name, r.status))
				o := outcomeOf(r)
				if o == failed {
					t.Errorf("%s as %s: status %d: %.300s", pattern, cl.name, r.status, r.body)
					continue
				}
				// A public route answers everyone; a failed login's 401 and
				// the way back to the login page after logging out are its
				// answers, not a guard.
				if listed && want.public {
					if r.status == http.StatusForbidden || r.status == http.StatusNotFound {
						t.Errorf("%s as %s: status %d, want it public", pattern, cl.name, r.status)
					}
					continue
				}
				if cl.role == "" {
					got.public = o == passed
					if listed && want.public != got.public {
						t.Errorf("%s anonymous: status %d, want it %s", pattern, r.status, map[bool]string{true: "public", false: "refused"}[want.public])
					}
					continue
				}
				// Whatever another organisation may reach, it must not
				// carry A's child: a list or search filtered wrongly.
				if !cl.own && strings.Contains(r.body, matrixFamily) {
					t.Errorf("%s as %s: status %d and the body names organisation A's child", pattern, cl.name, r.status)
				}
				letter := string(roleLetters[cl.role])
				if o == passed {
					if cl.own {
						got.own += letter
					} else {
						got.other += letter
					}
				}
				if !listed {
					continue
				}
				allowed := want.public || strings.Contains(want.own, letter)
				if !cl.own {
					allowed = want.public || strings.Contains(want.other, letter)
				}
				if (o == passed) != allowed {
					t.Errorf("%s as %s: status %d, want it %s", pattern, cl.name, r.status, map[bool]string{true: "allowed", false: "refused"}[allowed])
				}
			}
			if got.public {
				got.own, got.other = "", ""
			}
			observed[pattern] = got
			dumped[pattern] = statuses
			if !listed {
				t.Errorf("route %s has no entry in authzTable; as served now it is %s", pattern, entryOf(pattern, got))
			}
		}
		for p := range authzTable {
			if _, ok := observed[p]; !ok {
				t.Errorf("authzTable names %s, which is not served", p)
			}
		}
		if os.Getenv("HOMEWARD_AUTHZ_DUMP") != "" {
			for _, p := range patterns {
				fmt.Println(entryOf(p, observed[p]), "//", strings.Join(dumped[p], ", "))
			}
		}
		t.Logf("%d routes × %d callers in %v", len(patterns), len(callers), time.Since(start).Round(time.Millisecond))
	})
}

// entryOf writes a table entry as it would stand in authzTable.
func entryOf(pattern string, a access) string {
	if a.public {
		return fmt.Sprintf("%q: {public: true},", pattern)
	}
	name := func(s string) string {
		b := []byte(s)
		slices.Sort(b)
		for k, v := range map[string]string{"everyone": everyone, "readers": readers, "writers": writers, "exchangers": exchangers} {
			w := []byte(v)
			slices.Sort(w)
			if string(w) == string(b) {
				return k
			}
		}
		if s == "" {
			return "nobody"
		}
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%q: {own: %s, other: %s},", pattern, name(a.own), name(a.other))
}
