package web

// Patterns lists the registered routes, for tests.
func (s *Server) Patterns() []string { return append([]string(nil), s.patterns...) }
