package main

// The atomic proxy restores MongoDB's single-document write atomicity in front of FerretDB 1.24.
//
// FerretDB's update, findAndModify and delete handlers read the matching documents, compute the
// change in Go and write it back without any lock, so two concurrent updates of one document can
// both read the old version and one of them is lost ($inc counts too low, two compare-and-set
// updates both "win"). The proxy sits between the clients and FerretDB, speaks just enough of the
// MongoDB wire protocol to recognise write commands, and lets only one write per collection reach
// FerretDB at a time. Reads are never held back, and every message is forwarded byte for byte.
//
// The lock is held from the moment a write request is forwarded until FerretDB's reply to it
// (the message whose responseTo is the request's requestID) has been read: FerretDB replies only
// after the write is done. A request flagged moreToCome gets no reply, so its lock is released as
// soon as it has been forwarded. Locks still held when a connection ends are released then.

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/bson"
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

// lockedCommands are the commands (lower-cased) that run under their collection's lock.
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

// keyedMutex is a set of mutexes, one per key, created on first use. There is one key per
// collection ever written to, so entries are never removed.
type keyedMutex struct {
	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

func (k *keyedMutex) get(key string) *sync.Mutex {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.locks == nil {
		k.locks = make(map[string]*sync.Mutex)
	}
	m := k.locks[key]
	if m == nil {
		m = new(sync.Mutex)
		k.locks[key] = m
	}
	return m
}

func (k *keyedMutex) Lock(key string)   { k.get(key).Lock() }
func (k *keyedMutex) Unlock(key string) { k.get(key).Unlock() }

// AtomicProxy accepts MongoDB clients and relays each connection to its own connection to the
// backend, serialising write commands per collection.
type AtomicProxy struct {
	// Dial opens a connection to the backend (FerretDB's Unix socket).
	Dial   func(ctx context.Context) (net.Conn, error)
	Logger *slog.Logger

	locks keyedMutex
}

// Serve accepts connections on ln until ctx is cancelled. It then closes ln and every
// connection, and returns once all of them are done.
func (p *AtomicProxy) Serve(ctx context.Context, ln net.Listener) error {
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

	s := &session{locks: &p.locks, held: make(map[int32]string)}
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
	locks *keyedMutex

	mu   sync.Mutex
	held map[int32]string // requestID of a forwarded write -> key of the lock it holds
}

// hold records that the write with this requestID holds the lock of key.
func (s *session) hold(requestID int32, key string) {
	s.mu.Lock()
	s.held[requestID] = key
	s.mu.Unlock()
}

// release unlocks the lock held by the write with this requestID, if any. It is called by both
// pumps, and only the first call for a requestID unlocks.
func (s *session) release(requestID int32) {
	s.mu.Lock()
	key, ok := s.held[requestID]
	delete(s.held, requestID)
	s.mu.Unlock()
	if ok {
		s.locks.Unlock(key)
	}
}

// releaseAll unlocks every lock still held, once the connection is over.
func (s *session) releaseAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, key := range s.held {
		delete(s.held, id)
		s.locks.Unlock(key)
	}
}

// pumpRequests forwards client messages to the backend, taking the collection lock before each
// write command. It returns when the client connection ends or a write to the backend fails.
func (s *session) pumpRequests(client io.Reader, backend io.Writer) {
	r := bufio.NewReader(client)
	var buf []byte
	for {
		msg, err := readMessage(r, buf)
		if err != nil {
			return
		}
		key, noReply := writeLockKey(msg)
		id := requestID(msg)
		if key != "" {
			s.locks.Lock(key)
			if noReply {
				_, err = backend.Write(msg)
				s.locks.Unlock(key)
			} else {
				s.hold(id, key)
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

// writeLockKey returns "db.collection" when msg is an OP_MSG carrying a write command, or "" for
// anything else (reads, other commands, other opcodes, messages it cannot parse: those are left
// to FerretDB to judge). noReply is true when the request is flagged moreToCome.
func writeLockKey(msg []byte) (key string, noReply bool) {
	if opCode(msg) != opMsg || len(msg) < headerLen+4 {
		return "", false
	}
	flags := binary.LittleEndian.Uint32(msg[headerLen:])
	body := commandBody(msg[headerLen+4:], flags&checksumBit != 0)
	if body == nil {
		return "", false
	}
	first, err := body.IndexErr(0)
	if err != nil || !lockedCommands[strings.ToLower(first.Key())] {
		return "", false
	}
	coll, ok := first.Value().StringValueOK()
	if !ok {
		return "", false
	}
	db, ok := body.Lookup("$db").StringValueOK()
	if !ok {
		return "", false
	}
	return db + "." + coll, flags&moreToCome != 0
}

// commandBody returns the kind-0 section (the command document) of an OP_MSG's sections, or
// nil. Kind-1 sections (document sequences: the documents of insert, update and delete) are
// skipped.
func commandBody(sections []byte, checksum bool) bson.Raw {
	if checksum {
		if len(sections) < 4 {
			return nil
		}
		sections = sections[:len(sections)-4]
	}
	for len(sections) >= 5 {
		kind := sections[0]
		size := int(int32(binary.LittleEndian.Uint32(sections[1:])))
		if size < 5 || size > len(sections)-1 {
			return nil
		}
		switch kind {
		case 0: // one BSON document, its size included in itself
			return bson.Raw(sections[1 : 1+size])
		case 1: // int32 size (included), cstring identifier, BSON documents
			sections = sections[1+size:]
		default:
			return nil
		}
	}
	return nil
}
