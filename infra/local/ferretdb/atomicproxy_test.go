package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// backends are the storages the atomicity tests run on: SQLite, and PostgreSQL when
// FERRETDB_TEST_POSTGRESQL_URL names a database (./guichet test sets it on the PostgreSQL store).
func backends() []string {
	if os.Getenv("FERRETDB_TEST_POSTGRESQL_URL") != "" {
		return []string{"sqlite", "postgresql"}
	}
	return []string{"sqlite"}
}

// startProxiedFerretDB runs the embedded FerretDB on backend (a temporary SQLite directory, or
// the PostgreSQL database of FERRETDB_TEST_POSTGRESQL_URL with pgx's smallest pool, 4, so that
// many concurrent writes would exhaust it without the proxy's write slots) behind the atomic
// proxy, as main does, and returns a database of its own through the proxy, with a client pool of
// poolSize connections.
// Everything is stopped, and the database dropped, when the test ends.
func startProxiedFerretDB(t *testing.T, backend string, poolSize uint64) *mongo.Database {
	t.Helper()
	dir := t.TempDir()
	socket := filepath.Join(dir, "ferretdb.sock")
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := &ferretdb.Config{Listener: ferretdb.ListenerConfig{Unix: socket}, Logger: logger, Handler: backend}
	if backend == "postgresql" {
		u, err := url.Parse(os.Getenv("FERRETDB_TEST_POSTGRESQL_URL"))
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("pool_max_conns", "4")
		u.RawQuery = q.Encode()
		cfg.PostgreSQLURL = u.String()
	} else {
		sqliteURL, err := sqliteURI("", filepath.Join(dir, "data"))
		if err != nil {
			t.Fatal(err)
		}
		cfg.SQLiteURL = sqliteURL
	}

	f, err := ferretdb.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	proxy := &AtomicProxy{
		Dial: func(ctx context.Context) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socket)
		},
		Logger:        logger,
		DocumentLocks: backend == "postgresql",
	}

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); _ = f.Run(ctx) }()
	go func() { defer wg.Done(); _ = proxy.Serve(ctx, ln) }()

	client, err := mongo.Connect(ctx, options.Client().
		ApplyURI("mongodb://"+ln.Addr().String()+"/").
		SetMaxPoolSize(poolSize))
	if err != nil {
		t.Fatal(err)
	}
	db := client.Database(fmt.Sprintf("atomic-%d", time.Now().UnixNano()))
	t.Cleanup(func() {
		_ = db.Drop(context.Background())
		_ = client.Disconnect(context.Background())
		cancel()
		wg.Wait()
	})
	return db
}

// concurrently runs fn(i) for i in [0, n) in n goroutines and returns the results.
func concurrently[T any](n int, fn func(i int) T) []T {
	out := make([]T, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); out[i] = fn(i) }()
	}
	wg.Wait()
	return out
}

func TestSingleDocumentAtomicity(t *testing.T) {
	for _, backend := range backends() {
		t.Run(backend, func(t *testing.T) { testSingleDocumentAtomicity(t, backend) })
	}
}

func testSingleDocumentAtomicity(t *testing.T, backend string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	coll := startProxiedFerretDB(t, backend, 20).Collection("t")
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "a"}, {Key: "n", Value: 0}, {Key: "v", Value: 0}}); err != nil {
		t.Fatal(err)
	}
	byID := bson.D{{Key: "_id", Value: "a"}}
	where := func(v int) bson.D { return bson.D{{Key: "_id", Value: "a"}, {Key: "v", Value: v}} }
	set := func(v int) bson.D { return bson.D{{Key: "$set", Value: bson.D{{Key: "v", Value: v}}}} }

	t.Run("200 concurrent $inc", func(t *testing.T) {
		errs := concurrently(200, func(int) error {
			_, err := coll.UpdateOne(ctx, byID, bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: 1}}}})
			return err
		})
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		var doc struct{ N int }
		if err := coll.FindOne(ctx, byID).Decode(&doc); err != nil {
			t.Fatal(err)
		}
		if doc.N != 200 {
			t.Errorf("n = %d after 200 increments, want 200", doc.N)
		}
	})

	t.Run("50 concurrent compare-and-set updateOne", func(t *testing.T) {
		modified := concurrently(50, func(int) int64 {
			res, err := coll.UpdateOne(ctx, where(0), set(1))
			if err != nil {
				t.Error(err)
				return 0
			}
			return res.ModifiedCount
		})
		if winners := sum(modified); winners != 1 {
			t.Errorf("%d updates modified the document, want 1", winners)
		}
	})

	t.Run("50 concurrent conditional findOneAndUpdate", func(t *testing.T) {
		found := concurrently(50, func(int) int64 {
			err := coll.FindOneAndUpdate(ctx, where(1), set(2)).Err()
			switch {
			case err == nil:
				return 1
			case errors.Is(err, mongo.ErrNoDocuments):
				return 0
			default:
				t.Error(err)
				return 0
			}
		})
		if winners := sum(found); winners != 1 {
			t.Errorf("%d findOneAndUpdate calls found the document, want 1", winners)
		}
	})

	t.Run("50 concurrent conditional deleteOne", func(t *testing.T) {
		deleted := concurrently(50, func(int) int64 {
			res, err := coll.DeleteOne(ctx, where(2))
			if err != nil {
				t.Error(err)
				return 0
			}
			return res.DeletedCount
		})
		if winners := sum(deleted); winners != 1 {
			t.Errorf("%d deletes removed the document, want 1", winners)
		}
	})
}

// Writes to different documents run side by side, and a write to the whole collection never runs
// beside them: every increment counts. Two hundred writes at once need no more connections to
// PostgreSQL than its pool has.
func TestDocumentAndCollectionWrites(t *testing.T) {
	for _, backend := range backends() {
		t.Run(backend, func(t *testing.T) { testDocumentAndCollectionWrites(t, backend) })
	}
}

func testDocumentAndCollectionWrites(t *testing.T, backend string) {
	const documents, incrementsEach, collectionIncrements = 10, 20, 10
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	coll := startProxiedFerretDB(t, backend, 40).Collection("t")
	for i := range documents {
		if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: i}, {Key: "n", Value: 0}}); err != nil {
			t.Fatal(err)
		}
	}
	inc := bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: 1}}}}
	errs := concurrently(documents*incrementsEach+collectionIncrements, func(i int) error {
		if i < collectionIncrements {
			_, err := coll.UpdateMany(ctx, bson.D{}, inc)
			return err
		}
		_, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: i % documents}}, inc)
		return err
	})
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	cursor, err := coll.Find(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	var docs []struct {
		ID int `bson:"_id"`
		N  int
	}
	if err := cursor.All(ctx, &docs); err != nil {
		t.Fatal(err)
	}
	if len(docs) != documents {
		t.Fatalf("%d documents, want %d", len(docs), documents)
	}
	for _, d := range docs {
		if d.N != incrementsEach+collectionIncrements {
			t.Errorf("document %d: n = %d, want %d", d.ID, d.N, incrementsEach+collectionIncrements)
		}
	}
}

func sum(xs []int64) (s int64) {
	for _, x := range xs {
		s += x
	}
	return s
}

// buildOpMsg builds an OP_MSG wire message from its sections.
func buildOpMsg(flags uint32, sections ...[]byte) []byte {
	msg := make([]byte, headerLen+4)
	binary.LittleEndian.PutUint32(msg[4:], 7) // requestID
	binary.LittleEndian.PutUint32(msg[12:], opMsg)
	binary.LittleEndian.PutUint32(msg[headerLen:], flags)
	for _, s := range sections {
		msg = append(msg, s...)
	}
	if flags&checksumBit != 0 {
		msg = append(msg, 0, 0, 0, 0) // not checked by the proxy
	}
	binary.LittleEndian.PutUint32(msg, uint32(len(msg)))
	return msg
}

func body(t *testing.T, doc bson.D) []byte {
	b, err := bson.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte{0}, b...)
}

func sequence(t *testing.T, id string, docs ...bson.D) []byte {
	s := append(make([]byte, 5), append([]byte(id), 0)...)
	for _, d := range docs {
		s = append(s, body(t, d)[1:]...)
	}
	s[0] = 1
	binary.LittleEndian.PutUint32(s[1:], uint32(len(s)-1))
	return s
}

func TestWriteLockFor(t *testing.T) {
	db := bson.E{Key: "$db", Value: "shop"}
	query := make([]byte, headerLen+8)
	binary.LittleEndian.PutUint32(query, uint32(len(query)))
	binary.LittleEndian.PutUint32(query[12:], 2004) // OP_QUERY
	byID := func(id any) bson.D {
		return bson.D{{Key: "q", Value: bson.D{{Key: "_id", Value: id}, {Key: "v", Value: 1}}}}
	}
	orders := func(mode lockMode, id string) *writeLock {
		return &writeLock{collection: "shop.orders", mode: mode, documentID: id}
	}
	str := func(s string) string { return idKey(bson.RawValue{Type: bson.TypeString, Value: bsoncoreString(s)}) }

	for name, tc := range map[string]struct {
		msg     []byte
		lock    *writeLock // nil: not locked
		noReply bool
	}{
		"insert with documents after: shared": {
			msg:  buildOpMsg(0, body(t, bson.D{{Key: "insert", Value: "orders"}, db}), sequence(t, "documents", bson.D{{Key: "a", Value: 1}})),
			lock: orders(shared, ""),
		},
		"update by _id with documents before: that document": {
			msg:  buildOpMsg(0, sequence(t, "updates", byID("a")), body(t, bson.D{{Key: "update", Value: "orders"}, db})),
			lock: orders(document, str("a")),
		},
		"update by _id in the command document: that document": {
			msg:  buildOpMsg(0, body(t, bson.D{{Key: "update", Value: "orders"}, {Key: "updates", Value: bson.A{byID("a")}}, db})),
			lock: orders(document, str("a")),
		},
		"update by $eq on _id: that document": {
			msg:  buildOpMsg(0, sequence(t, "updates", byID(bson.D{{Key: "$eq", Value: "a"}})), body(t, bson.D{{Key: "update", Value: "orders"}, db})),
			lock: orders(document, str("a")),
		},
		"numbers of any type name one document": {
			msg:  buildOpMsg(0, sequence(t, "updates", byID(int64(7))), body(t, bson.D{{Key: "update", Value: "orders"}, db})),
			lock: orders(document, idKey(bson.RawValue{Type: bson.TypeDouble, Value: binary.LittleEndian.AppendUint64(nil, 0x401c000000000000)})),
		},
		"update by $in on _id: collection": {
			msg:  buildOpMsg(0, sequence(t, "updates", byID(bson.D{{Key: "$in", Value: bson.A{"a", "b"}}})), body(t, bson.D{{Key: "update", Value: "orders"}, db})),
			lock: orders(exclusive, ""),
		},
		"update by another field: collection": {
			msg:  buildOpMsg(0, sequence(t, "updates", bson.D{{Key: "q", Value: bson.D{{Key: "v", Value: 1}}}}), body(t, bson.D{{Key: "update", Value: "orders"}, db})),
			lock: orders(exclusive, ""),
		},
		"two statements: collection": {
			msg:  buildOpMsg(0, sequence(t, "updates", byID("a"), byID("b")), body(t, bson.D{{Key: "update", Value: "orders"}, db})),
			lock: orders(exclusive, ""),
		},
		"findAndModify by _id with checksum: that document": {
			msg:  buildOpMsg(checksumBit, body(t, bson.D{{Key: "findAndModify", Value: "orders"}, {Key: "query", Value: bson.D{{Key: "_id", Value: "a"}}}, db})),
			lock: orders(document, str("a")),
		},
		"findAndModify without _id: collection": {
			msg:  buildOpMsg(0, body(t, bson.D{{Key: "findAndModify", Value: "orders"}, {Key: "query", Value: bson.D{}}, db})),
			lock: orders(exclusive, ""),
		},
		"unacknowledged delete by _id": {
			msg:     buildOpMsg(moreToCome, body(t, bson.D{{Key: "delete", Value: "orders"}, db}), sequence(t, "deletes", byID("a"))),
			lock:    orders(document, str("a")),
			noReply: true,
		},
		"createIndexes: collection": {
			msg:  buildOpMsg(0, body(t, bson.D{{Key: "createIndexes", Value: "orders"}, db})),
			lock: orders(exclusive, ""),
		},
		"find is not locked": {
			msg: buildOpMsg(0, body(t, bson.D{{Key: "find", Value: "orders"}, db})),
		},
		"dropDatabase is not locked": {
			msg: buildOpMsg(0, body(t, bson.D{{Key: "dropDatabase", Value: 1}, db})),
		},
		"OP_QUERY is not locked": {msg: query},
		"truncated body":         {msg: buildOpMsg(0, body(t, bson.D{{Key: "insert", Value: "orders"}, db})[:10])},
	} {
		t.Run(name, func(t *testing.T) {
			lock, noReply, locked := writeLockFor(tc.msg)
			if tc.lock == nil {
				if locked {
					t.Errorf("writeLockFor = %+v, want no lock", lock)
				}
				return
			}
			if !locked || lock != *tc.lock || noReply != tc.noReply {
				t.Errorf("writeLockFor = %+v, %v, %v; want %+v, %v", lock, noReply, locked, *tc.lock, tc.noReply)
			}
		})
	}
}

// bsoncoreString is the BSON encoding of a string value (length, bytes, NUL).
func bsoncoreString(s string) []byte {
	b := binary.LittleEndian.AppendUint32(nil, uint32(len(s)+1))
	return append(append(b, s...), 0)
}
