// vcsim: a vCenter simulator for vctp's tests, built on govmomi's simulator package.
//
// It serves the vim25 SDK (simulator.VPX()) on 127.0.0.1 (-host) and a small JSON control API on a
// second port, so tests can change the inventory while they run and compare what the collector
// retrieves with the simulator's own truth (GET /dump).
//
// Unlike govmomi's own simulator, RetrievePropertiesEx honours options.maxObjects the way a
// vCenter does (see pagingCollector): a page of at most maxObjects objects (and at most
// -max-objects, when set) with a token, and ContinueRetrievePropertiesEx /
// CancelRetrievePropertiesEx to read or drop the rest.
//
// Control API (all POST bodies are JSON; answers are JSON; errors are {"error": "..."} with 4xx/5xx):
//
//	GET  /dump                   every VM and host, with their placement (see dumpVM / dumpHost)
//	POST /vm/create              {"name", "datacenter"?, "pool"? (moref or inventory path),
//	                              "folder"? (path under the datacenter's VM folder, created if absent),
//	                              "cpus"?, "memory_mb"?, "power_on"?}
//	POST /vm/destroy             {"vm"} (name or moref; powered off first when on)
//	POST /vm/power-on            {"vm"}
//	POST /vm/power-off           {"vm"}
//	POST /vm/reconfigure         {"vm", "cpus"?, "memory_mb"?, "managed_by_key"?, "managed_by_type"?}
//	POST /vm/mark-template       {"vm"} (powered off first when on)
//	POST /session/invalidate     every SDK session known so far stops being accepted (as if expired)
//	POST /fault/delay            {"method", "ms"}: every later call of that SDK method waits ms first
//	GET  /fault/status           {"waiting": n}: calls being held by a delay right now
//	GET  /stats                  {"calls": {method: n}, "open_tokens": n}: SDK calls so far by
//	                              method, and paging tokens handed out and not yet used up
//	POST /fault/exit-mid-body    {"method"}: the next call of that method gets half its response,
//	                              then the process exits (code 3), like a vCenter dying mid-transfer
package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	cryptoRand "crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"io/ioutil"
	"log"
	"math/big"
	"math/rand"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

const sessionCookie = "vmware_soap_session"

// sdkFront sits in front of the simulator's SDK handler: it records session cookies (so they
// can be invalidated), and injects delays and mid-body deaths.
type sdkFront struct {
	next http.Handler

	mu         sync.Mutex
	sessions   map[string]bool // cookie value -> still valid
	delays     map[string]int  // method -> ms
	exitOnNext string          // method whose next response is cut in half, then exit
	waiting    int             // calls being held by a delay right now
	calls      map[string]int  // method -> calls so far
}

var methodRe = regexp.MustCompile(`<(?:[A-Za-z0-9_]+:)?Body[^>]*>\s*<(?:[A-Za-z0-9_]+:)?([A-Za-z0-9_]+)`)

type halfWriter struct {
	header http.Header
	status int
	buf    bytes.Buffer
}

func (h *halfWriter) Header() http.Header         { return h.header }
func (h *halfWriter) WriteHeader(status int)      { h.status = status }
func (h *halfWriter) Write(b []byte) (int, error) { return h.buf.Write(b) }

func (f *sdkFront) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, "/sdk") {
		f.next.ServeHTTP(w, r)
		return
	}
	body, err := ioutil.ReadAll(r.Body)
	_ = r.Body.Close()
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	r.Body = ioutil.NopCloser(bytes.NewReader(body))
	method := ""
	if m := methodRe.FindSubmatch(body); m != nil {
		method = string(m[1])
	}

	f.mu.Lock()
	if method != "" {
		f.calls[method]++
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		if valid, known := f.sessions[c.Value]; known && !valid {
			// An invalidated session: the simulator sees a request without a session.
			r.Header.Del("Cookie")
		}
	}
	delay := f.delays[method]
	exitNow := method != "" && f.exitOnNext == method
	if exitNow {
		f.exitOnNext = ""
	}
	f.mu.Unlock()

	if delay > 0 {
		f.mu.Lock()
		f.waiting++
		f.mu.Unlock()
		time.Sleep(time.Duration(delay) * time.Millisecond)
		f.mu.Lock()
		f.waiting--
		f.mu.Unlock()
	}

	if exitNow {
		hw := &halfWriter{header: w.Header(), status: http.StatusOK}
		f.next.ServeHTTP(hw, r)
		out := hw.buf.Bytes()
		w.Header().Set("Content-Length", fmt.Sprint(len(out)))
		w.WriteHeader(hw.status)
		_, _ = w.Write(out[:len(out)/2])
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		log.Printf("vcsim: exiting in the middle of a %s response (%d of %d bytes sent)", method, len(out)/2, len(out))
		os.Exit(3)
	}

	rec := &cookieRecorder{ResponseWriter: w, front: f}
	f.next.ServeHTTP(rec, r)
}

// cookieRecorder notes every session cookie the simulator hands out.
type cookieRecorder struct {
	http.ResponseWriter
	front *sdkFront
}

func (c *cookieRecorder) WriteHeader(status int) {
	for _, v := range c.Header()["Set-Cookie"] {
		if strings.HasPrefix(v, sessionCookie+"=") {
			val := strings.TrimPrefix(v, sessionCookie+"=")
			if i := strings.IndexByte(val, ';'); i >= 0 {
				val = val[:i]
			}
			c.front.mu.Lock()
			c.front.sessions[val] = true
			c.front.mu.Unlock()
		}
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c *cookieRecorder) Write(b []byte) (int, error) { return c.ResponseWriter.Write(b) }

type app struct {
	client *vim25.Client // in-process client, with the simulator's internal session
	finder *find.Finder
	front  *sdkFront
	mu     sync.Mutex // one control operation at a time
}

func main() {
	datacenters := flag.Int("datacenters", 1, "datacenters")
	clusters := flag.Int("clusters", 1, "clusters per datacenter")
	clusterHosts := flag.Int("cluster-hosts", 2, "hosts per cluster")
	hosts := flag.Int("hosts", 1, "standalone hosts per datacenter")
	vms := flag.Int("vms", 2, "VMs per cluster root resource pool and per standalone host")
	pools := flag.Int("pools", 0, "extra (empty) child resource pools per cluster")
	useTLS := flag.Bool("tls", false, "serve the SDK over HTTPS with a self-signed certificate")
	username := flag.String("username", "user", "the only user name accepted by Login")
	password := flag.String("password", "pass", "its password")
	host := flag.String("host", "127.0.0.1", "address the SDK and the control API listen on (0.0.0.0 in a container)")
	port := flag.Int("port", 0, "SDK port on -host (0 = a free one)")
	controlPort := flag.Int("control-port", 0, "control API port on -host (0 = a free one)")
	urlFile := flag.String("url-file", "", "write the SDK URL (no credentials) to this file once serving")
	controlFile := flag.String("control-url-file", "", "write the control API URL to this file once serving")
	certFile := flag.String("cert-file", "", "with -tls, write the server's self-signed certificate (PEM) to this file")
	instanceUUID := flag.String("instance-uuid", "", "the vCenter's instance UUID (about.instanceUuid; empty: govmomi's "+
		"fixed one), so that several simulators are several vCenters")
	seed := flag.Int64("random-sizes", 0, "when not 0, give every VM a vCPU count and memory size drawn from this seed")
	maxObjects := flag.Int("max-objects", 0, "when not 0, RetrievePropertiesEx pages hold at most this many objects, "+
		"even when the client asks for more (a vCenter's own limit); the request's maxObjects is honoured either way")
	flag.Parse()
	if *maxObjects < 0 {
		log.Fatalf("-max-objects must not be negative")
	}
	pageCap = *maxObjects

	log.SetPrefix("vcsim: ")
	simulator.Map = simulator.NewRegistry()

	m := simulator.VPX()
	m.Datacenter = *datacenters
	m.Cluster = *clusters
	m.ClusterHost = *clusterHosts
	m.Host = *hosts
	m.Machine = *vms
	m.Pool = *pools
	m.Autostart = true
	if err := m.Create(); err != nil {
		log.Fatalf("creating the inventory: %v", err)
	}
	if *seed != 0 {
		randomiseSizes(*seed)
	}
	if *instanceUUID != "" {
		simulator.Map.Get(vim25.ServiceInstance).(*simulator.ServiceInstance).Content.About.InstanceUuid = *instanceUUID
	}
	// Our property collector in place of govmomi's: every session gets a fresh one of the same
	// type (Session.Get clones the root collector's type).
	root := &pagingCollector{}
	root.Self = simulator.Map.Get(vim25.ServiceInstance).(*simulator.ServiceInstance).Content.PropertyCollector
	simulator.Map.Put(root)

	m.Service.Listen = &url.URL{Host: net.JoinHostPort(*host, strconv.Itoa(*port)), User: url.UserPassword(*username, *password)}
	if *useTLS {
		cert, pemBytes, err := selfSignedCertificate()
		if err != nil {
			log.Fatalf("certificate: %v", err)
		}
		m.Service.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
		writeAtomically(*certFile, strings.TrimSpace(string(pemBytes)))
	}
	front := &sdkFront{sessions: map[string]bool{}, delays: map[string]int{}, calls: map[string]int{}}
	s := m.Service.NewServer()
	// Nobody knows the URL yet, so nothing is being served while the handler is swapped.
	front.next = s.Config.Handler
	s.Config.Handler = front

	client, err := vim25.NewClient(context.Background(), m.Service)
	if err != nil {
		log.Fatalf("in-process client: %v", err)
	}
	a := &app{client: client, finder: find.NewFinder(client, false), front: front}

	ln, err := net.Listen("tcp", net.JoinHostPort(*host, strconv.Itoa(*controlPort)))
	if err != nil {
		log.Fatalf("control API: %v", err)
	}
	mux := http.NewServeMux()
	a.routes(mux)
	go func() { _ = http.Serve(ln, mux) }()

	sdk := *s.URL
	sdk.User = nil
	control := fmt.Sprintf("http://%s", ln.Addr().String())
	fmt.Printf("SDK %s\nCONTROL %s\n", sdk.String(), control)
	writeAtomically(*urlFile, sdk.String())
	writeAtomically(*controlFile, control)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	got := <-sig
	log.Printf("%v: exiting", got)
	// No graceful Close: it would wait for calls held by /fault/delay.
	os.Exit(0)
}

func writeAtomically(path, text string) {
	if path == "" {
		return
	}
	tmp := path + ".tmp"
	if err := ioutil.WriteFile(tmp, []byte(text+"\n"), 0644); err != nil {
		log.Fatalf("writing %s: %v", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		log.Fatalf("writing %s: %v", path, err)
	}
}

// selfSignedCertificate makes an ECDSA P-256 certificate for 127.0.0.1 and ::1 only (not
// "localhost"), so tests can check both trust and host name verification.
func selfSignedCertificate() (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), cryptoRand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "vcsim", Organization: []string{"vctp tests"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")},
	}
	der, err := x509.CreateCertificate(cryptoRand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	keyDer, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	certPem := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPem := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDer})
	cert, err := tls.X509KeyPair(certPem, keyPem)
	return cert, certPem, err
}

func randomiseSizes(seed int64) {
	rng := rand.New(rand.NewSource(seed))
	cpus := []int32{1, 2, 2, 4, 4, 8, 16}
	mems := []int32{512, 1024, 2048, 4096, 6144, 8192, 16384, 32768}
	all := simulator.Map.All("VirtualMachine")
	sort.Slice(all, func(i, j int) bool { return all[i].Entity().Name < all[j].Entity().Name })
	for _, e := range all {
		vm := e.(*simulator.VirtualMachine)
		c := cpus[rng.Intn(len(cpus))]
		mb := mems[rng.Intn(len(mems))]
		vm.Config.Hardware.NumCPU = c
		vm.Config.Hardware.MemoryMB = mb
		vm.Summary.Config.NumCpu = c
		vm.Summary.Config.MemorySizeMB = mb
	}
}

// ---- paging ----

// pageCap is -max-objects: the most objects one RetrievePropertiesEx page holds (0 = no limit of
// our own), like the limit a vCenter applies whatever the client asks.
var pageCap int

// openTokens counts paging tokens handed out and neither continued nor cancelled yet;
// lastToken numbers them, so no two collectors (sessions) ever hand out the same one.
var openTokens, lastToken int64

// pagingCollector is govmomi's property collector with RetrievePropertiesEx paging as a vCenter
// does it: the full result is computed at once, the first page (options.maxObjects objects, at
// most pageCap) is answered with a token when more remain, and each ContinueRetrievePropertiesEx
// answers the next page, with a new token until the last. A token is good for one call only, on
// the collector (so the session) that handed it out; any other token is an InvalidArgument fault.
// RetrieveProperties and WaitForUpdatesEx stay govmomi's (they call the embedded collector).
type pagingCollector struct {
	simulator.PropertyCollector

	pagesMu sync.Mutex
	pages   map[string]pendingPages // token -> what is left
}

type pendingPages struct {
	objects []types.ObjectContent
	limit   int
}

// pageLimit is how many objects a page holds for a request asking for maxObjects (0 = all).
func pageLimit(maxObjects int32) int {
	limit := int(maxObjects)
	if limit <= 0 || (pageCap > 0 && pageCap < limit) {
		limit = pageCap
	}
	return limit
}

// page cuts the first limit objects off objects, keeping the rest under a new token.
func (pc *pagingCollector) page(objects []types.ObjectContent, limit int) types.RetrieveResult {
	if limit <= 0 || len(objects) <= limit {
		return types.RetrieveResult{Objects: objects}
	}
	pc.pagesMu.Lock()
	defer pc.pagesMu.Unlock()
	if pc.pages == nil {
		pc.pages = map[string]pendingPages{}
	}
	token := fmt.Sprintf("paging-%d", atomic.AddInt64(&lastToken, 1))
	pc.pages[token] = pendingPages{objects: objects[limit:], limit: limit}
	atomic.AddInt64(&openTokens, 1)
	return types.RetrieveResult{Objects: objects[:limit:limit], Token: token}
}

// take removes and returns what is left under token.
func (pc *pagingCollector) take(token string) (pendingPages, bool) {
	pc.pagesMu.Lock()
	defer pc.pagesMu.Unlock()
	p, ok := pc.pages[token]
	if ok {
		delete(pc.pages, token)
		atomic.AddInt64(&openTokens, -1)
	}
	return p, ok
}

func unknownToken(token string) *soap.Fault {
	return simulator.Fault(fmt.Sprintf("no retrieval in progress under token %q", token),
		&types.InvalidArgument{InvalidProperty: "token"})
}

func (pc *pagingCollector) RetrievePropertiesEx(ctx *simulator.Context, r *types.RetrievePropertiesEx) soap.HasFault {
	res := pc.PropertyCollector.RetrievePropertiesEx(ctx, r)
	body, ok := res.(*methods.RetrievePropertiesExBody)
	if !ok || body.Res == nil || body.Res.Returnval == nil {
		return res
	}
	result := pc.page(body.Res.Returnval.Objects, pageLimit(r.Options.MaxObjects))
	body.Res.Returnval = &result
	return body
}

func (pc *pagingCollector) ContinueRetrievePropertiesEx(ctx *simulator.Context, r *types.ContinueRetrievePropertiesEx) soap.HasFault {
	body := &methods.ContinueRetrievePropertiesExBody{}
	rest, ok := pc.take(r.Token)
	if !ok {
		body.Fault_ = unknownToken(r.Token)
		return body
	}
	body.Res = &types.ContinueRetrievePropertiesExResponse{Returnval: pc.page(rest.objects, rest.limit)}
	return body
}

func (pc *pagingCollector) CancelRetrievePropertiesEx(ctx *simulator.Context, r *types.CancelRetrievePropertiesEx) soap.HasFault {
	body := &methods.CancelRetrievePropertiesExBody{}
	if _, ok := pc.take(r.Token); !ok {
		body.Fault_ = unknownToken(r.Token)
		return body
	}
	body.Res = &types.CancelRetrievePropertiesExResponse{}
	return body
}

// CreatePropertyCollector makes collectors that page too.
func (pc *pagingCollector) CreatePropertyCollector(ctx *simulator.Context, c *types.CreatePropertyCollector) soap.HasFault {
	child := &pagingCollector{}
	child.Self.Type = "PropertyCollector"
	return &methods.CreatePropertyCollectorBody{
		Res: &types.CreatePropertyCollectorResponse{Returnval: ctx.Session.Put(child).Reference()},
	}
}

// ---- control API ----

type request struct {
	VM            string `json:"vm"`
	Name          string `json:"name"`
	Datacenter    string `json:"datacenter"`
	Pool          string `json:"pool"`
	Folder        string `json:"folder"`
	CPUs          int32  `json:"cpus"`
	MemoryMB      int32  `json:"memory_mb"`
	PowerOn       bool   `json:"power_on"`
	ManagedByKey  string `json:"managed_by_key"`
	ManagedByType string `json:"managed_by_type"`
	Method        string `json:"method"`
	Ms            int    `json:"ms"`
}

func (a *app) routes(mux *http.ServeMux) {
	handle := func(path string, f func(ctx context.Context, req *request) (interface{}, error)) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			var req request
			if r.Method == http.MethodPost {
				if err := json.NewDecoder(r.Body).Decode(&req); err != nil && err != io.EOF {
					reply(w, http.StatusBadRequest, map[string]string{"error": "bad JSON: " + err.Error()})
					return
				}
			}
			a.mu.Lock()
			res, err := f(r.Context(), &req)
			a.mu.Unlock()
			if err != nil {
				reply(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
				return
			}
			reply(w, http.StatusOK, res)
		})
	}
	handle("/dump", func(ctx context.Context, req *request) (interface{}, error) { return dump(), nil })
	handle("/vm/create", a.createVM)
	handle("/vm/destroy", func(ctx context.Context, req *request) (interface{}, error) {
		vm, err := a.vm(ctx, req.VM)
		if err != nil {
			return nil, err
		}
		_ = a.powerOff(ctx, vm)
		return ok(runTask(ctx, vm.Destroy))
	})
	handle("/vm/power-on", func(ctx context.Context, req *request) (interface{}, error) {
		vm, err := a.vm(ctx, req.VM)
		if err != nil {
			return nil, err
		}
		return ok(runTask(ctx, vm.PowerOn))
	})
	handle("/vm/power-off", func(ctx context.Context, req *request) (interface{}, error) {
		vm, err := a.vm(ctx, req.VM)
		if err != nil {
			return nil, err
		}
		return ok(a.powerOff(ctx, vm))
	})
	handle("/vm/reconfigure", func(ctx context.Context, req *request) (interface{}, error) {
		vm, err := a.vm(ctx, req.VM)
		if err != nil {
			return nil, err
		}
		spec := types.VirtualMachineConfigSpec{NumCPUs: req.CPUs, MemoryMB: int64(req.MemoryMB)}
		if req.ManagedByKey != "" {
			spec.ManagedBy = &types.ManagedByInfo{ExtensionKey: req.ManagedByKey, Type: req.ManagedByType}
		}
		err = runTask(ctx, func(ctx context.Context) (*object.Task, error) { return vm.Reconfigure(ctx, spec) })
		if err == nil {
			// The simulator's Reconfigure leaves the summary as it was: keep it in step.
			simulator.Map.WithLock(vm.Reference(), func() {
				o := simulator.Map.Get(vm.Reference()).(*simulator.VirtualMachine)
				o.Summary.Config.NumCpu = o.Config.Hardware.NumCPU
				o.Summary.Config.MemorySizeMB = o.Config.Hardware.MemoryMB
			})
		}
		return ok(err)
	})
	handle("/vm/mark-template", func(ctx context.Context, req *request) (interface{}, error) {
		vm, err := a.vm(ctx, req.VM)
		if err != nil {
			return nil, err
		}
		_ = a.powerOff(ctx, vm)
		return ok(vm.MarkAsTemplate(ctx))
	})
	handle("/session/invalidate", func(ctx context.Context, req *request) (interface{}, error) {
		a.front.mu.Lock()
		defer a.front.mu.Unlock()
		n := 0
		for k, valid := range a.front.sessions {
			if valid {
				a.front.sessions[k] = false
				n++
			}
		}
		return map[string]int{"invalidated": n}, nil
	})
	handle("/fault/delay", func(ctx context.Context, req *request) (interface{}, error) {
		if req.Method == "" {
			return nil, fmt.Errorf("method is required")
		}
		a.front.mu.Lock()
		defer a.front.mu.Unlock()
		a.front.delays[req.Method] = req.Ms
		return map[string]string{"status": "ok"}, nil
	})
	handle("/fault/status", func(ctx context.Context, req *request) (interface{}, error) {
		a.front.mu.Lock()
		defer a.front.mu.Unlock()
		return map[string]int{"waiting": a.front.waiting}, nil
	})
	handle("/stats", func(ctx context.Context, req *request) (interface{}, error) {
		a.front.mu.Lock()
		calls := map[string]int{}
		for k, v := range a.front.calls {
			calls[k] = v
		}
		a.front.mu.Unlock()
		return map[string]interface{}{"calls": calls, "open_tokens": atomic.LoadInt64(&openTokens)}, nil
	})
	handle("/fault/exit-mid-body", func(ctx context.Context, req *request) (interface{}, error) {
		if req.Method == "" {
			return nil, fmt.Errorf("method is required")
		}
		a.front.mu.Lock()
		defer a.front.mu.Unlock()
		a.front.exitOnNext = req.Method
		return map[string]string{"status": "ok"}, nil
	})
}

func ok(err error) (interface{}, error) {
	if err != nil {
		return nil, err
	}
	return map[string]string{"status": "ok"}, nil
}

func reply(w http.ResponseWriter, status int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func runTask(ctx context.Context, f func(context.Context) (*object.Task, error)) error {
	task, err := f(ctx)
	if err != nil {
		return err
	}
	return task.Wait(ctx)
}

func (a *app) powerOff(ctx context.Context, vm *object.VirtualMachine) error {
	state, err := vm.PowerState(ctx)
	if err != nil {
		return err
	}
	if state == types.VirtualMachinePowerStatePoweredOff {
		return nil
	}
	return runTask(ctx, vm.PowerOff)
}

// vm finds a VM by moref ("vm-42") or by name.
func (a *app) vm(ctx context.Context, id string) (*object.VirtualMachine, error) {
	if id == "" {
		return nil, fmt.Errorf("vm is required")
	}
	ref := types.ManagedObjectReference{Type: "VirtualMachine", Value: id}
	if simulator.Map.Get(ref) != nil {
		return object.NewVirtualMachine(a.client, ref), nil
	}
	for _, e := range simulator.Map.All("VirtualMachine") {
		if e.Entity().Name == id {
			return object.NewVirtualMachine(a.client, e.Reference()), nil
		}
	}
	return nil, fmt.Errorf("no VM named %q", id)
}

func (a *app) createVM(ctx context.Context, req *request) (interface{}, error) {
	if req.Name == "" {
		return nil, fmt.Errorf("name is required")
	}
	var dc *object.Datacenter
	var err error
	if req.Datacenter != "" {
		dc, err = a.finder.Datacenter(ctx, req.Datacenter)
	} else {
		dc, err = a.finder.DefaultDatacenter(ctx)
		if err != nil {
			var all []*object.Datacenter
			all, err = a.finder.DatacenterList(ctx, "*")
			if err == nil {
				sort.Slice(all, func(i, j int) bool { return all[i].InventoryPath < all[j].InventoryPath })
				dc = all[0]
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("datacenter: %v", err)
	}
	a.finder.SetDatacenter(dc)
	folders, err := dc.Folders(ctx)
	if err != nil {
		return nil, err
	}
	folder := folders.VmFolder
	for _, part := range strings.Split(strings.Trim(req.Folder, "/"), "/") {
		if part == "" {
			continue
		}
		child, err := a.finder.Folder(ctx, folder.InventoryPath+"/"+part)
		if err != nil {
			child, err = folder.CreateFolder(ctx, part)
			if err != nil {
				return nil, fmt.Errorf("creating folder %s: %v", part, err)
			}
			child.InventoryPath = folder.InventoryPath + "/" + part
		}
		folder = child
	}

	var pool *object.ResourcePool
	switch {
	case strings.HasPrefix(req.Pool, "resgroup-"):
		pool = object.NewResourcePool(a.client, types.ManagedObjectReference{Type: "ResourcePool", Value: req.Pool})
	case req.Pool != "":
		pool, err = a.finder.ResourcePool(ctx, req.Pool)
	default:
		var pools []*object.ResourcePool
		pools, err = a.finder.ResourcePoolList(ctx, "*/Resources")
		if err == nil {
			sort.Slice(pools, func(i, j int) bool { return pools[i].InventoryPath < pools[j].InventoryPath })
			pool = pools[0]
		}
	}
	if err != nil {
		return nil, fmt.Errorf("resource pool: %v", err)
	}

	cpus, mem := req.CPUs, req.MemoryMB
	if cpus == 0 {
		cpus = 1
	}
	if mem == 0 {
		mem = 32
	}
	spec := types.VirtualMachineConfigSpec{
		Name:     req.Name,
		GuestId:  string(types.VirtualMachineGuestOsIdentifierOtherGuest),
		NumCPUs:  cpus,
		MemoryMB: int64(mem),
		Files:    &types.VirtualMachineFileInfo{VmPathName: "[LocalDS_0]"},
	}
	task, err := folder.CreateVM(ctx, spec, pool, nil)
	if err != nil {
		return nil, err
	}
	info, err := task.WaitForResult(ctx, nil)
	if err != nil {
		return nil, err
	}
	vm := object.NewVirtualMachine(a.client, info.Result.(types.ManagedObjectReference))
	if req.PowerOn {
		if err := runTask(ctx, vm.PowerOn); err != nil {
			return nil, err
		}
	}
	for _, d := range dump().VMs {
		if d.Moref == vm.Reference().Value {
			return d, nil
		}
	}
	return nil, fmt.Errorf("created VM %s not found", vm.Reference().Value)
}

// ---- the simulator's truth ----

type dumpVM struct {
	Moref        string `json:"moref"`
	Name         string `json:"name"`
	InstanceUUID string `json:"instance_uuid"`
	BiosUUID     string `json:"bios_uuid"`
	CPUs         int32  `json:"cpus"`
	MemoryMB     int32  `json:"memory_mb"`
	PowerState   string `json:"power_state"`
	Host         string `json:"host"`
	Cluster      string `json:"cluster"`
	Datacenter   string `json:"datacenter"`
	ResourcePool string `json:"resource_pool"`
	PoolPath     string `json:"resource_pool_path"`
	Folder       string `json:"folder"`
	Template     bool   `json:"template"`
	ManagedByKey string `json:"managed_by_key"`
}

type dumpHost struct {
	Moref      string `json:"moref"`
	Name       string `json:"name"`
	Cluster    string `json:"cluster"`
	Datacenter string `json:"datacenter"`
	Cores      int16  `json:"cores"`
	CPUMhz     int32  `json:"cpu_mhz"`
	MemoryMB   int64  `json:"memory_mb"`
	// InMaintenance is runtime.inMaintenanceMode.
	InMaintenance bool `json:"in_maintenance"`
}

type dumpAll struct {
	VcenterUUID string     `json:"vcenter_uuid"`
	VMs         []dumpVM   `json:"vms"`
	Hosts       []dumpHost `json:"hosts"`
	TotalCPUs   int64      `json:"total_cpus"`
	TotalMemMB  int64      `json:"total_memory_mb"`
}

func entity(ref *types.ManagedObjectReference) mo.Entity {
	if ref == nil {
		return nil
	}
	if e, ok := simulator.Map.Get(*ref).(mo.Entity); ok {
		return e
	}
	return nil
}

// placement walks up from ref: the datacenter's name, and the folder path below its vmFolder.
func folderPath(ref *types.ManagedObjectReference) (dc string, path string) {
	var parts []string
	for e := entity(ref); e != nil; e = entity(e.Entity().Parent) {
		if d, ok := e.(*simulator.Datacenter); ok {
			dc = d.Name
			break
		}
		parts = append([]string{e.Entity().Name}, parts...)
	}
	// parts[0] is the datacenter's VM folder ("vm").
	if len(parts) > 0 {
		parts = parts[1:]
	}
	return dc, "/" + strings.Join(parts, "/")
}

func poolPath(ref *types.ManagedObjectReference) (name string, path string) {
	var parts []string
	for e := entity(ref); e != nil; e = entity(e.Entity().Parent) {
		if _, ok := e.(*simulator.ResourcePool); !ok {
			break
		}
		parts = append([]string{e.Entity().Name}, parts...)
	}
	if len(parts) == 0 {
		return "", ""
	}
	return parts[len(parts)-1], strings.Join(parts, "/")
}

func dump() dumpAll {
	var out dumpAll
	out.VcenterUUID = simulator.Map.Get(types.ManagedObjectReference{Type: "ServiceInstance", Value: "ServiceInstance"}).(*simulator.ServiceInstance).Content.About.InstanceUuid
	for _, e := range simulator.Map.All("VirtualMachine") {
		vm := e.(*simulator.VirtualMachine)
		var d dumpVM
		simulator.Map.WithLock(vm, func() {
			d = dumpVM{
				Moref:        vm.Self.Value,
				Name:         vm.Name,
				InstanceUUID: vm.Config.InstanceUuid,
				BiosUUID:     vm.Config.Uuid,
				CPUs:         vm.Config.Hardware.NumCPU,
				MemoryMB:     vm.Config.Hardware.MemoryMB,
				PowerState:   string(vm.Runtime.PowerState),
				Template:     vm.Config.Template,
			}
			if vm.Config.ManagedBy != nil {
				d.ManagedByKey = vm.Config.ManagedBy.ExtensionKey
			}
			if h := entity(vm.Runtime.Host); h != nil {
				d.Host = h.Entity().Name
				if c, ok := entity(h.Entity().Parent).(*simulator.ClusterComputeResource); ok {
					d.Cluster = c.Name
				}
			}
			d.ResourcePool, d.PoolPath = poolPath(vm.ResourcePool)
			d.Datacenter, d.Folder = folderPath(vm.Parent)
		})
		out.TotalCPUs += int64(d.CPUs)
		out.TotalMemMB += int64(d.MemoryMB)
		out.VMs = append(out.VMs, d)
	}
	sort.Slice(out.VMs, func(i, j int) bool { return out.VMs[i].Moref < out.VMs[j].Moref })
	for _, e := range simulator.Map.All("HostSystem") {
		h := e.(*simulator.HostSystem)
		var d dumpHost
		simulator.Map.WithLock(h, func() {
			d = dumpHost{Moref: h.Self.Value, Name: h.Name, InMaintenance: h.Runtime.InMaintenanceMode}
			if h.Summary.Hardware != nil {
				d.Cores = h.Summary.Hardware.NumCpuCores
				d.CPUMhz = h.Summary.Hardware.CpuMhz
				d.MemoryMB = h.Summary.Hardware.MemorySize / (1024 * 1024)
			}
			if c, ok := entity(h.Parent).(*simulator.ClusterComputeResource); ok {
				d.Cluster = c.Name
			}
			for p := entity(h.Parent); p != nil; p = entity(p.Entity().Parent) {
				if dc, ok := p.(*simulator.Datacenter); ok {
					d.Datacenter = dc.Name
					break
				}
			}
		})
		out.Hosts = append(out.Hosts, d)
	}
	sort.Slice(out.Hosts, func(i, j int) bool { return out.Hosts[i].Moref < out.Hosts[j].Moref })
	return out
}
