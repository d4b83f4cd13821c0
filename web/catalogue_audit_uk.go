package web

// catalogueAuditUK translates the strings of the audit trail: the events
// that record lists, searches and exports. It joins catalogueUK at
// start-up.
var catalogueAuditUK = map[string]string{
	"Listed":   "Переглянуто список",
	"Searched": "Виконано пошук",
}

func init() {
	for k, v := range catalogueAuditUK {
		catalogueUK[k] = v
	}
}
