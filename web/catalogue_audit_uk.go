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
	"Erase the personal data": "Стерти персональні дані",
	"Erasure destroys the key of this case's names, dates, places, notes, attachments and history: nobody can read them again, not even from a backup made later. The case keeps its reference, stage and dates, and the audit log says who erased it, when and why. It cannot be undone.": "Стирання знищує ключ імен, дат, місць, нотаток, вкладень та історії цієї справи: ніхто більше не зможе їх прочитати, навіть із резервної копії, зробленої пізніше. Справа зберігає свій номер, етап і дати, а журнал аудиту фіксує, хто її стер, коли і чому. Скасувати це неможливо.",
	"Type the case's reference (%s) to confirm": "Введіть номер справи (%s) для підтвердження",
	"Erase for good": "Стерти остаточно",
	"Type the case's reference to confirm the erasure.":                                      "Введіть номер справи, щоб підтвердити стирання.",
	"Personal data erased":                                                                   "Персональні дані стерто",
	"what it recorded was erased":                                                            "записане стерто",
	"The person asked (come of age, or through a representative)":                            "Особа попросила (досягнувши повноліття або через представника)",
	"A duplicate of another record":                                                          "Дублікат іншого запису",
	"Kept longer than the retention period allows":                                           "Зберігається довше, ніж дозволяє строк зберігання",
	"A reason for the erasure is required.":                                                  "Потрібно вказати причину стирання.",
	"Only administrators and supervisors may erase a record.":                                "Стерти запис можуть лише адміністратори та керівники.",
	"Only the organisation that holds a record may erase it.":                                "Стерти запис може лише організація, якій він належить.",
	"The reason for an erasure must be one of data_subject_request, duplicate or retention.": "Причиною стирання має бути одна з: data_subject_request, duplicate або retention.",
	"This case was erased already.":                                                          "Цю справу вже стерто.",
	"This located record was erased already.":                                                "Цей запис про знайдену дитину вже стерто.",
	"This record was erased: its personal data is gone, and it can no longer be changed.":    "Цей запис стерто: його персональних даних більше немає, і змінити його вже не можна.",
	"The database is locked: this process was started without the installation's key (--key-file, HOMEWARD_KEY or a passphrase).": "Базу даних заблоковано: цей процес запущено без ключа установки (--key-file, HOMEWARD_KEY або парольна фраза).",
}

func init() {
	for k, v := range catalogueAuditUK {
		catalogueUK[k] = v
	}
}
