package store

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"hash"
	"slices"
	"strings"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/names"
)

// The blind index finds records by name without holding a name: each
// record's names give search keys (names.SearchKeys: every spelling the
// names engine equates shares one, and prefixes have theirs), each key is
// hashed under the installation's index key, and the first eight bytes of
// the MAC are stored beside the record's ID. A query word gives its keys
// (names.QueryKeys), hashed the same way; a record matches a word when it
// holds one of them. Whoever reads the database sees which records share a
// token, as any index of equality would show, and nothing of the names.

// tokenTables are the index tables by entity, with their ID column.
var tokenTables = map[string][2]string{
	homeward.EntityCase:    {"case_tokens", "case_id"},
	homeward.EntityLocated: {"located_tokens", "located_id"},
}

type tokenPair struct{ token, id int64 }

func (kr *keyring) indexMAC() (hash.Hash, func()) {
	kr.macOnce.Do(func() {
		idx := kr.index
		kr.macs.New = func() any { return idx.NewMAC() }
	})
	h := kr.macs.Get().(hash.Hash)
	return h, func() { kr.macs.Put(h) }
}

// tokensOf returns the distinct tokens of keys.
func (kr *keyring) tokensOf(keys []uint64) []int64 {
	if len(keys) == 0 {
		return nil
	}
	h, done := kr.indexMAC()
	defer done()
	out := make([]int64, 0, len(keys))
	var in [8]byte
	var sum [32]byte
	for _, k := range keys {
		binary.LittleEndian.PutUint64(in[:], k)
		h.Reset()
		h.Write(in[:])
		out = append(out, int64(binary.LittleEndian.Uint64(h.Sum(sum[:0]))))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// recordTokens returns the tokens of a record's names.
func (db *DB) recordTokens(nameValues ...string) ([]int64, error) {
	if db.keys == nil {
		return nil, errLocked
	}
	var keys []uint64
	for _, n := range nameValues {
		if n != "" {
			keys = names.SearchKeys(keys, n)
		}
	}
	return db.keys.tokensOf(keys), nil
}

// addTokens queues a record's tokens, written with the transaction's
// events.
func (t *tx) addTokens(entity string, id int64, toks []int64) {
	if t.tokens == nil {
		t.tokens = map[string][]tokenPair{}
	}
	for _, tk := range toks {
		t.tokens[entity] = append(t.tokens[entity], tokenPair{tk, id})
	}
}

// removeTokens deletes a record's tokens (those its old names gave) now.
func (t *tx) removeTokens(ctx context.Context, entity string, id int64, toks []int64) error {
	if len(toks) == 0 {
		return nil
	}
	tt := tokenTables[entity]
	args := []any{id}
	marks := make([]string, len(toks))
	for i, tk := range toks {
		args = append(args, tk)
		marks[i] = fmt.Sprintf("$%d", i+2)
	}
	_, err := t.ExecContext(ctx, `DELETE FROM `+tt[0]+` WHERE `+tt[1]+` = $1 AND token IN (`+strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return fmt.Errorf("update the name index: %w", err)
	}
	return nil
}

// tokenBatch is how many tokens one INSERT writes on SQLite (two
// parameters each, under its limit of 32,766).
const tokenBatch = 8000

// flushTokens writes the queued tokens.
func (t *tx) flushTokens(ctx context.Context) error {
	for entity, rs := range t.tokens {
		if len(rs) == 0 {
			continue
		}
		t.tokens[entity] = rs[:0]
		tt := tokenTables[entity]
		if t.db.dialect == DialectPostgres {
			// One statement of two arrays: a hundred thousand records give
			// over a million tokens, and multi-row VALUES would need hundreds
			// of round trips.
			// In token order: the index is written in order, not at random.
			slices.SortFunc(rs, func(a, b tokenPair) int { return cmp.Compare(a.token, b.token) })
			toks := make([]int64, len(rs))
			ids := make([]int64, len(rs))
			for i, r := range rs {
				toks[i], ids[i] = r.token, r.id
			}
			if _, err := t.ExecContext(ctx, `INSERT INTO `+tt[0]+` (token, `+tt[1]+`) SELECT * FROM unnest($1::bigint[], $2::bigint[]) ON CONFLICT DO NOTHING`, toks, ids); err != nil {
				return fmt.Errorf("write the name index: %w", err)
			}
			continue
		}
		for len(rs) > 0 {
			part := rs[:min(tokenBatch, len(rs))]
			rs = rs[len(part):]
			var b strings.Builder
			b.Grow(len(part) * 8)
			b.WriteString(`INSERT INTO ` + tt[0] + ` (token, ` + tt[1] + `) VALUES `)
			args := make([]any, 0, 2*len(part))
			for i, r := range part {
				if i > 0 {
					b.WriteString(",")
				}
				b.WriteString("(?,?)")
				args = append(args, r.token, r.id)
			}
			b.WriteString(` ON CONFLICT DO NOTHING`)
			if _, err := t.ExecContext(ctx, b.String(), args...); err != nil {
				return fmt.Errorf("write the name index: %w", err)
			}
		}
	}
	return nil
}

// retoken replaces a record's tokens of its old names by those of its new
// ones, touching only what changed.
func (t *tx) retoken(ctx context.Context, entity string, id int64, oldNames, newNames []string) error {
	was, err := t.db.recordTokens(oldNames...)
	if err != nil {
		return err
	}
	now, err := t.db.recordTokens(newNames...)
	if err != nil {
		return err
	}
	var gone, added []int64
	for _, tk := range was {
		if _, ok := slices.BinarySearch(now, tk); !ok {
			gone = append(gone, tk)
		}
	}
	for _, tk := range now {
		if _, ok := slices.BinarySearch(was, tk); !ok {
			added = append(added, tk)
		}
	}
	if err := t.removeTokens(ctx, entity, id, gone); err != nil {
		return err
	}
	t.addTokens(entity, id, added)
	return nil
}
