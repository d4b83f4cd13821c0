package web

// catalogueAuditUK translates the strings of the audit trail: the events
// that record lists, searches and exports. It joins catalogueUK at
// start-up.
var catalogueAuditUK = map[string]string{
	"Listed":                             "Переглянуто список",
	"Searched":                           "Виконано пошук",
	"Audit log head signed from here on": "Відтепер голову журналу аудиту підписано",

	"The audit log's head is signed with the installation's key, and this process was started without it: give the key file (--key-file or HOMEWARD_KEY_FILE).":                                                                    "Голову журналу аудиту підписано ключем установки, а цей процес запущено без нього: вкажіть файл ключа (--key-file або HOMEWARD_KEY_FILE).",
	"The audit log's head does not carry a valid signature: events may have been cut from its end, or the key is not this installation's. Nothing more is written until “homeward audit verify” has been run and the cause found.": "Голова журналу аудиту не має чинного підпису: можливо, з кінця журналу вирізано події, або ключ не належить цій установці. Нічого більше не записується, доки не буде виконано «homeward audit verify» і знайдено причину.",
}

func init() {
	for k, v := range catalogueAuditUK {
		catalogueUK[k] = v
	}
}
