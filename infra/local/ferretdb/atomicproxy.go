package main

// The atomic proxy restores MongoDB's single-document write atomicity in front of FerretDB 1.24.
//
// FerretDB's update, findAndModify and delete handlers read the matching documents, compute the
// change in Go and write it back without any lock, so two concurrent updates of one document can
// both read the old version and one of them is lost ($inc counts too low, two compare-and-set
// updates both "win"). The proxy sits between the clients and FerretDB, speaks just enough of the
// MongoDB wire protocol to recognise write commands, and lets only one write per document reach
// FerretDB at a time (on PostgreSQL; per collection on SQLite, and for a write that does not name
// its one document by _id: see writelock.go). Reads are never held back, and every message is forwarded byte for byte.
//
// The lock is held from the moment a write request is forwarded until FerretDB's reply to it
// (the message whose responseTo is the request's requestID) has been read: FerretDB replies only
// after the write is done. A request flagged moreToCome gets no reply, so its lock is released as
// soon as it has been forwarded. Locks still held when a connection ends are released then.

import (
	"bufio"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"
)

const (
	headerLen   = 16         // messageLength, requestID, responseTo, opCode: int32 little-endian each
	maxMsgLen   = 48_000_000 // MongoDB's maxMessageSizeBytes
	opMsg       = 2013       // OP_MSG, used for every command by current drivers
	moreToCome  = 1 << 1     // OP_MSG flag: the sender expects no reply
	checksumBit = 1 << 0     // OP_MSG flag: a CRC-32C follows the sections
	keepBuf     = 1 << 20    // a message buffer bigger than this is not kept for reuse
	acceptPause = 50 * time.Millisecond
)

// AtomicProxy accepts MongoDB clients and relays each connection to its own connection to the
// backend, serialising write commands per collection.
type AtomicProxy struct {
	// Dial opens a connection to the backend (FerretDB's Unix socket).
	Dial   func(ctx context.Context) (net.Conn, error)
	Logger *slog.Logger
	// MaxWrites bounds the writes inside FerretDB at once (default DefaultMaxWrites). It must stay
	// below FerretDB's PostgreSQL pool: a write there holds a connection for its read while it
	// waits for another for its write, so as many writes as connections wait for each other forever.
	MaxWrites int
	// DocumentLocks lets writes to different documents of a collection run side by side (see
	// writelock.go); without it every write holds its whole collection. SQLite takes one writer at
	// a time anyway, and writers that wait for it back off: turn it on for PostgreSQL only.
	DocumentLocks bool

	locks lockTable
}

// DefaultMaxWrites is enough to keep two cores busy, and below pgx's smallest pool (4).
const DefaultMaxWrites = 3

// Serve accepts connections on ln until ctx is cancelled. It then closes ln and every
// connection, and returns once all of them are done.
func (p *AtomicProxy) Serve(ctx context.Context, ln net.Listener) error {
	p.locks.configure(cmp.Or(p.MaxWrites, DefaultMaxWrites), p.DocumentLocks)
	stop := context.AfterFunc(ctx, func() { _ = ln.Close() })
	defer stop()

	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			// Typically too many open files: wait a little rather than spin.
			p.Logger.Warn("proxy: accept failed", "error", err)
			time.Sleep(acceptPause)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.serveConn(ctx, conn)
		}()
	}
}

// serveConn relays one client connection until either side closes it or ctx is cancelled.
func (p *AtomicProxy) serveConn(ctx context.Context, client net.Conn) {
	defer client.Close()
	backend, err := p.Dial(ctx)
	if err != nil {
		p.Logger.Error("proxy: cannot reach FerretDB", "error", err)
		return
	}
	defer backend.Close()
	stop := context.AfterFunc(ctx, func() { _ = client.Close(); _ = backend.Close() })
	defer stop()

	s := &session{locks: &p.locks, held: make(map[int32]writeLock)}
	defer s.releaseAll()

	repliesDone := make(chan struct{})
	go func() {
		defer close(repliesDone)
		s.pumpReplies(backend, client)
		_ = client.Close() // FerretDB closed the connection: end the request pump too
	}()
	s.pumpRequests(client, backend)

	// The client is gone (or the backend refused a write). Only half-close the backend: FerretDB
	// finishes the command it may be running, replies (which releases that command's lock) and
	// closes the connection on reading EOF, which ends the reply pump.
	if cw, ok := backend.(interface{ CloseWrite() error }); ok && cw.CloseWrite() == nil {
		<-repliesDone
		return
	}
	_ = backend.Close()
	<-repliesDone
}

// session is the state of one relayed connection: the locks its in-flight writes hold.
type session struct {
	locks *lockTable

	mu   sync.Mutex
	held map[int32]writeLock // requestID of a forwarded write -> the lock it holds
}

// hold records that the write with this requestID holds lock.
func (s *session) hold(requestID int32, lock writeLock) {
	s.mu.Lock()
	s.held[requestID] = lock
	s.mu.Unlock()
}

// release unlocks the lock held by the write with this requestID, if any. It is called by both
// pumps, and only the first call for a requestID unlocks.
func (s *session) release(requestID int32) {
	s.mu.Lock()
	lock, ok := s.held[requestID]
	delete(s.held, requestID)
	s.mu.Unlock()
	if ok {
		s.locks.Unlock(lock)
	}
}

// releaseAll unlocks every lock still held, once the connection is over.
func (s *session) releaseAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, lock := range s.held {
		delete(s.held, id)
		s.locks.Unlock(lock)
	}
}

// pumpRequests forwards client messages to the backend, taking the lock of each write command
// (writelock.go) before it. It returns when the client connection ends or a write to the backend fails.
func (s *session) pumpRequests(client io.Reader, backend io.Writer) {
	r := bufio.NewReader(client)
	var buf []byte
	for {
		msg, err := readMessage(r, buf)
		if err != nil {
			return
		}
		lock, noReply, locked := writeLockFor(msg)
		id := requestID(msg)
		if locked {
			s.locks.Lock(lock)
			if noReply {
				_, err = backend.Write(msg)
				s.locks.Unlock(lock)
			} else {
				s.hold(id, lock)
				if _, err = backend.Write(msg); err != nil {
					s.release(id) // no reply will come
				}
			}
		} else {
			_, err = backend.Write(msg)
		}
		if err != nil {
			return
		}
		buf = reuse(msg)
	}
}

// pumpReplies forwards backend messages to the client, releasing the lock of the write each one
// answers. It returns when the backend connection ends. Once the client is gone it keeps reading
// (and dropping) replies, so that locks are released when FerretDB is actually done.
func (s *session) pumpReplies(backend io.Reader, client io.Writer) {
	r := bufio.NewReader(backend)
	var buf []byte
	clientOK := true
	for {
		msg, err := readMessage(r, buf)
		if err != nil {
			return
		}
		// FerretDB has finished the command: the next write may go ahead. No need to wait for a
		// slow client to take the reply.
		s.release(responseTo(msg))
		if clientOK {
			if _, err := client.Write(msg); err != nil {
				clientOK = false
			}
		}
		buf = reuse(msg)
	}
}

// readMessage reads one whole wire message (header included) into buf, grown as needed.
func readMessage(r io.Reader, buf []byte) ([]byte, error) {
	if cap(buf) < headerLen {
		buf = make([]byte, headerLen, 4096)
	}
	buf = buf[:headerLen]
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, err
	}
	n := int(int32(binary.LittleEndian.Uint32(buf)))
	if n < headerLen || n > maxMsgLen {
		return nil, fmt.Errorf("bad message length %d", n)
	}
	if cap(buf) < n {
		buf = append(make([]byte, 0, n), buf...)
	}
	buf = buf[:n]
	if _, err := io.ReadFull(r, buf[headerLen:]); err != nil {
		return nil, err
	}
	return buf, nil
}

// reuse returns msg's storage for the next message, unless it is too big to keep around.
func reuse(msg []byte) []byte {
	if cap(msg) > keepBuf {
		return nil
	}
	return msg[:0]
}

func requestID(msg []byte) int32  { return int32(binary.LittleEndian.Uint32(msg[4:])) }
func responseTo(msg []byte) int32 { return int32(binary.LittleEndian.Uint32(msg[8:])) }
func opCode(msg []byte) int32     { return int32(binary.LittleEndian.Uint32(msg[12:])) }
