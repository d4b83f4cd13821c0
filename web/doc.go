// Package web is Homeward's HTTP face: server-rendered pages in Ukrainian and
// English (html/template, embedded templates and assets, forms that work
// without JavaScript) and the JSON API under /api/v1, both thin layers over the
// root package's services.
//
// It must never hold business rules or touch storage directly (every decision
// is a service call), never log a child's or family member's name or contact
// (log IDs and route patterns only), and never load anything from another
// origin (no CDNs, no external fonts).
package web
