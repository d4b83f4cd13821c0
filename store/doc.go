// Package store keeps Homeward's records in SQL: SQLite (the default, one
// embedded file) or PostgreSQL, through database/sql with the same SQL on
// both wherever possible. It implements the service interfaces of the root
// package, authorises every call from the actor in the context, and appends
// every change and view to a hash-chained event log in the same transaction.
//
// It must never return a record to an actor that may not see it, never change
// a record without its event, never rewrite or delete an event, and never log
// names or contact details of children or families (IDs only).
package store
