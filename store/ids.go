package store

import "context"

// queryIDs runs a query of one integer column and returns its values, read
// to the end before the caller writes: PostgreSQL runs one query at a time
// on a transaction.
func queryIDs(ctx context.Context, q rowsQueryer, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
