package names

import "sync"

// Compare takes strings, but preparing a name costs several times more
// than comparing two prepared ones, and callers compare the same names
// again and again. So Compare keeps the names it prepared in a bounded
// memo. It changes no result, only the time taken; each shard is dropped
// whole when full, which keeps it simple and its memory bounded (about
// shards × shardLimit names).
const (
	cacheShards = 16
	shardLimit  = 4096
)

type cacheShard struct {
	mu sync.RWMutex
	m  map[string]*Name
}

var prepared [cacheShards]cacheShard

func cachedPrepare(s string) *Name {
	sh := &prepared[hashString(0, s)%cacheShards]
	sh.mu.RLock()
	n := sh.m[s]
	sh.mu.RUnlock()
	if n != nil {
		return n
	}
	n = Prepare(s)
	sh.mu.Lock()
	if sh.m == nil || len(sh.m) >= shardLimit {
		sh.m = make(map[string]*Name, 64)
	}
	sh.m[s] = n
	sh.mu.Unlock()
	return n
}
