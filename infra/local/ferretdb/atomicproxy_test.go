package main

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// startProxiedFerretDB runs the embedded FerretDB on a temporary SQLite directory behind the
// atomic proxy, as main does, and returns a client connected to the proxy with a pool of
// poolSize connections. Everything is stopped when the test ends.
func startProxiedFerretDB(t *testing.T, poolSize uint64) *mongo.Client {
	t.Helper()
	dir := t.TempDir()
	socket := filepath.Join(dir, "ferretdb.sock")
	sqliteURL, err := sqliteURI("", filepath.Join(dir, "data"))
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{Unix: socket},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: sqliteURL,
	})
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
		Logger: logger,
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
	t.Cleanup(func() {
		_ = client.Disconnect(context.Background())
		cancel()
		wg.Wait()
	})
	return client
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
	client := startProxiedFerretDB(t, 20)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	coll := client.Database("atomic").Collection("t")
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

func TestWriteLockKey(t *testing.T) {
	db := bson.E{Key: "$db", Value: "shop"}
	query := make([]byte, headerLen+8)
	binary.LittleEndian.PutUint32(query, uint32(len(query)))
	binary.LittleEndian.PutUint32(query[12:], 2004) // OP_QUERY

	for name, tc := range map[string]struct {
		msg     []byte
		key     string
		noReply bool
	}{
		"insert with documents after": {
			msg: buildOpMsg(0, body(t, bson.D{{Key: "insert", Value: "orders"}, db}), sequence(t, "documents", bson.D{{Key: "a", Value: 1}})),
			key: "shop.orders",
		},
		"update with documents before": {
			msg: buildOpMsg(0, sequence(t, "updates", bson.D{{Key: "q", Value: bson.D{}}}), body(t, bson.D{{Key: "update", Value: "orders"}, db})),
			key: "shop.orders",
		},
		"findAndModify with checksum": {
			msg: buildOpMsg(checksumBit, body(t, bson.D{{Key: "findAndModify", Value: "outbox"}, {Key: "query", Value: bson.D{}}, db})),
			key: "shop.outbox",
		},
		"unacknowledged delete": {
			msg:     buildOpMsg(moreToCome, body(t, bson.D{{Key: "delete", Value: "orders"}, db})),
			key:     "shop.orders",
			noReply: true,
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
			key, noReply := writeLockKey(tc.msg)
			if key != tc.key || noReply != tc.noReply {
				t.Errorf("writeLockKey = %q, %v; want %q, %v", key, noReply, tc.key, tc.noReply)
			}
		})
	}
}
