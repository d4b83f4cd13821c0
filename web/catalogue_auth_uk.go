package web

// catalogueAuthUK translates the strings of accounts and sign-in: API
// tokens and their lifetimes, ended sessions, and the password rules. It
// joins catalogueUK at start-up.
var catalogueAuthUK = map[string]string{
	"A password must not contain your login or name.": "Пароль не повинен містити ваш логін чи ім’я.",
	"A token lives between 1 and 366 days.":           "Токен діє від 1 до 366 днів.",
	"A token name has at most 100 characters.":        "Назва токена має не більше 100 символів.",
	"Last used": "Востаннє використано",
	"Only administrators may manage tokens of other users.": "Лише адміністратори можуть керувати токенами інших користувачів.",
	"Revoke":                 "Відкликати",
	"The token was revoked.": "Токен відкликано.",
	"This password is one of the most common ones; choose another.":                                       "Цей пароль — один із найпоширеніших; оберіть інший.",
	"This password is too easy to guess: it repeats itself, follows a sequence or a row of the keyboard.": "Цей пароль надто легко вгадати: він повторюється, іде за порядком або рядом клавіатури.",
	"Unknown, expired or revoked API token.":                                                              "Невідомий, прострочений або відкликаний токен API.",
	"Valid for (days)":                                                                                    "Дійсний (днів)",
	"You have no API tokens.":                                                                             "У вас немає токенів API.",
	"Your password was changed. Every other session and all your API tokens have ended.":                  "Ваш пароль змінено. Усі інші сеанси та всі ваші токени API завершено.",
	"never": "ніколи",
	"Only administrators of the installation's first organisation may create organisations.": "Створювати організації можуть лише адміністратори першої організації цієї інсталяції.",
	"This name looks too much like that of an existing organisation.":                        "Ця назва надто схожа на назву наявної організації.",
}

func init() {
	for k, v := range catalogueAuthUK {
		catalogueUK[k] = v
	}
}
