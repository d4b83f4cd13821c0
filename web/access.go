package web

import (
	"net/http"

	"github.com/homeward-project/homeward"
)

// recordAccess appends the event of a list, search or export before the
// records are shown or sent: a read that cannot be recorded is not served.
func (s *Server) recordAccess(r *http.Request, a homeward.Access) error {
	if s.cfg.Events == nil {
		return nil
	}
	return s.cfg.Events.RecordAccess(r.Context(), a)
}
