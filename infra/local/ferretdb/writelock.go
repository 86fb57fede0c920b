package main

// Which lock a write command takes, and the table of locks.
//
// With document locks (on PostgreSQL), a write that changes one document named by its _id ({_id: x}, possibly with more conditions)
// holds that document's lock, and its collection's lock shared: writes to different documents of
// a collection go through side by side, and two writes to one document one after the other. An
// insert holds the collection's lock shared only: it changes no existing document, and a
// duplicate _id or unique key is refused by the storage's unique index. Any other write (a filter
// without _id, several statements, an upsert by another field, index and collection commands)
// holds its collection's lock exclusively, so it never runs beside a write of that collection.
// Without them (on SQLite), every write holds its collection's lock exclusively.
// Locks are taken collection first, then document, and a connection has one write in flight at a
// time, so they cannot deadlock.

import (
	"encoding/binary"
	"math"
	"strconv"
	"strings"
	"sync"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/bsontype"
)

// lockedCommands are the commands (lower-cased) that run under a lock.
var lockedCommands = map[string]bool{
	"insert":        true,
	"update":        true,
	"delete":        true,
	"findandmodify": true,
	"create":        true,
	"createindexes": true,
	"drop":          true,
	"dropindexes":   true,
}

// lockMode says how a write holds its collection.
type lockMode int

const (
	exclusive lockMode = iota // alone in its collection
	shared                    // beside other shared writes (an insert)
	document                  // beside other shared writes, alone on its document
)

// writeLock is what one write command holds: its collection ("db.collection") in a mode, and in
// document mode the key of the document's _id.
type writeLock struct {
	collection string
	mode       lockMode
	documentID string
}

// lockTable holds a readers-writer lock per collection (never removed: one per collection ever
// written to), a mutex per document currently written (removed once nobody holds or waits), and
// the slots of the writes that may be inside FerretDB at once.
type lockTable struct {
	mu          sync.Mutex
	collections map[string]*sync.RWMutex
	documents   map[string]*documentLock
	slots       chan struct{}
	byDocument  bool
}

// configure sets how many writes may hold their locks at once, and whether a write may lock less
// than its whole collection; call it before any Lock.
func (t *lockTable) configure(maxWrites int, byDocument bool) {
	t.slots = make(chan struct{}, maxWrites)
	t.byDocument = byDocument
}

type documentLock struct {
	sync.Mutex
	users int // holders and waiters; the entry goes when it drops to 0
}

// Lock takes l's collection and document locks, then a write slot.
func (t *lockTable) Lock(l writeLock) {
	l = t.applicable(l)
	c := t.collection(l.collection)
	switch l.mode {
	case exclusive:
		c.Lock()
	case shared:
		c.RLock()
	case document:
		c.RLock()
		t.lockDocument(l.collection + "\x00" + l.documentID)
	}
	if t.slots != nil {
		t.slots <- struct{}{}
	}
}

func (t *lockTable) Unlock(l writeLock) {
	l = t.applicable(l)
	if t.slots != nil {
		<-t.slots
	}
	if l.mode == document {
		t.unlockDocument(l.collection + "\x00" + l.documentID)
	}
	c := t.collection(l.collection)
	if l.mode == exclusive {
		c.Unlock()
	} else {
		c.RUnlock()
	}
}

// applicable is l as this table takes it: the whole collection unless locking by document is on.
func (t *lockTable) applicable(l writeLock) writeLock {
	if !t.byDocument {
		return writeLock{collection: l.collection, mode: exclusive}
	}
	return l
}

func (t *lockTable) collection(name string) *sync.RWMutex {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.collections == nil {
		t.collections = make(map[string]*sync.RWMutex)
	}
	c := t.collections[name]
	if c == nil {
		c = new(sync.RWMutex)
		t.collections[name] = c
	}
	return c
}

func (t *lockTable) lockDocument(key string) {
	t.mu.Lock()
	if t.documents == nil {
		t.documents = make(map[string]*documentLock)
	}
	d := t.documents[key]
	if d == nil {
		d = new(documentLock)
		t.documents[key] = d
	}
	d.users++
	t.mu.Unlock()
	d.Lock()
}

func (t *lockTable) unlockDocument(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	d := t.documents[key]
	d.Unlock()
	if d.users--; d.users == 0 {
		delete(t.documents, key)
	}
}

// writeLockFor returns the lock msg needs, ok false when msg is not a write command to lock (reads,
// other commands, other opcodes, messages it cannot parse: those are left to FerretDB to judge).
// noReply is true when the request is flagged moreToCome.
func writeLockFor(msg []byte) (lock writeLock, noReply, ok bool) {
	if opCode(msg) != opMsg || len(msg) < headerLen+4 {
		return writeLock{}, false, false
	}
	flags := binary.LittleEndian.Uint32(msg[headerLen:])
	sections := msg[headerLen+4:]
	if flags&checksumBit != 0 {
		if len(sections) < 4 {
			return writeLock{}, false, false
		}
		sections = sections[:len(sections)-4]
	}
	body, sequences := splitSections(sections)
	if body == nil {
		return writeLock{}, false, false
	}
	first, err := body.IndexErr(0)
	if err != nil {
		return writeLock{}, false, false
	}
	command := strings.ToLower(first.Key())
	if !lockedCommands[command] {
		return writeLock{}, false, false
	}
	coll, ok1 := first.Value().StringValueOK()
	db, ok2 := body.Lookup("$db").StringValueOK()
	if !ok1 || !ok2 {
		return writeLock{}, false, false
	}
	lock = writeLock{collection: db + "." + coll, mode: exclusive}
	switch command {
	case "insert":
		lock.mode = shared
	case "update", "delete":
		if id, found := singleStatementID(body, sequences, command+"s"); found {
			lock.mode, lock.documentID = document, id
		}
	case "findandmodify":
		if id, found := filterID(body.Lookup("query")); found {
			lock.mode, lock.documentID = document, id
		}
	}
	return lock, flags&moreToCome != 0, true
}

// singleStatementID returns the _id named by the filter (q) of the command's one statement, found
// in the command document's array or in a document sequence named field.
func singleStatementID(body bson.Raw, sequences map[string][]bson.Raw, field string) (string, bool) {
	statements := sequences[field]
	if array, ok := body.Lookup(field).ArrayOK(); ok {
		values, err := array.Values()
		if err != nil {
			return "", false
		}
		for _, v := range values {
			if d, ok := v.DocumentOK(); ok {
				statements = append(statements, d)
			}
		}
	}
	if len(statements) != 1 {
		return "", false
	}
	return filterID(statements[0].Lookup("q"))
}

// filterID returns a key for the _id a filter document requires by equality ({_id: x} or
// {_id: {$eq: x}}), or false when it names none or anything else (a range, $in, an operator).
func filterID(filter bson.RawValue) (string, bool) {
	f, ok := filter.DocumentOK()
	if !ok {
		return "", false
	}
	id, err := f.LookupErr("_id")
	if err != nil {
		return "", false
	}
	if d, ok := id.DocumentOK(); ok {
		first, err := d.IndexErr(0)
		if err != nil || !strings.HasPrefix(first.Key(), "$") {
			return idKey(id), true // an embedded document as _id
		}
		if first.Key() != "$eq" || len(mustElements(d)) != 1 {
			return "", false
		}
		return idKey(first.Value()), true
	}
	if id.Type == bsontype.Array || id.Type == bsontype.Regex {
		return "", false // matches by element or pattern, not one value
	}
	return idKey(id), true
}

// idKey is the same for every _id MongoDB holds equal: numbers of any type by their value.
func idKey(v bson.RawValue) string {
	var f float64
	switch v.Type {
	case bsontype.Int32:
		f = float64(v.Int32())
	case bsontype.Int64:
		f = float64(v.Int64())
	case bsontype.Double:
		f = v.Double()
	default:
		return string(rune(v.Type)) + string(v.Value)
	}
	if math.IsNaN(f) {
		return "n:NaN"
	}
	return "n:" + strconv.FormatFloat(f, 'g', -1, 64)
}

func mustElements(d bson.Raw) []bson.RawElement {
	elements, err := d.Elements()
	if err != nil {
		return nil
	}
	return elements
}

// splitSections returns the kind-0 section (the command document) of an OP_MSG's sections and
// its kind-1 sections (document sequences, e.g. the statements of update and delete) by name.
func splitSections(sections []byte) (bson.Raw, map[string][]bson.Raw) {
	var body bson.Raw
	sequences := map[string][]bson.Raw{}
	for len(sections) >= 5 {
		kind := sections[0]
		size := int(int32(binary.LittleEndian.Uint32(sections[1:])))
		if size < 5 || size > len(sections)-1 {
			return nil, nil
		}
		switch kind {
		case 0: // one BSON document, its size included in itself
			body = bson.Raw(sections[1 : 1+size])
		case 1: // int32 size (included), cstring identifier, BSON documents
			name, docs, ok := documentSequence(sections[5 : 1+size])
			if !ok {
				return nil, nil
			}
			sequences[name] = docs
		default:
			return nil, nil
		}
		sections = sections[1+size:]
	}
	return body, sequences
}

// documentSequence parses the content of a kind-1 section after its size.
func documentSequence(b []byte) (string, []bson.Raw, bool) {
	end := strings.IndexByte(string(b), 0)
	if end < 0 {
		return "", nil, false
	}
	name, rest := string(b[:end]), b[end+1:]
	var docs []bson.Raw
	for len(rest) > 0 {
		if len(rest) < 5 {
			return "", nil, false
		}
		n := int(int32(binary.LittleEndian.Uint32(rest)))
		if n < 5 || n > len(rest) {
			return "", nil, false
		}
		docs = append(docs, bson.Raw(rest[:n]))
		rest = rest[n:]
	}
	return name, docs, true
}
