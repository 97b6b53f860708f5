// A static HTTP server for plinth's Go recipe (docs/apps.md). GET / answers with JSON that shows
// the image's timezone data and CA bundle at work; SIGTERM (podman stop) shuts it down
// gracefully, exit 0.
package main

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

type status struct {
	// Europe/Berlin's wall clock at a fixed summer instant: "2026-07-01T14:00:00+02:00 CEST"
	// only with the image's /usr/share/zoneinfo (no tzdata embedded in the binary).
	Berlin string `json:"berlin"`
	// The number of certificates in the system pool (the image's CA bundle).
	CACertificates int `json:"caCertificates"`
}

func current() (status, error) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		return status{}, err
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		return status{}, err
	}
	noon := time.Date(2026, time.July, 1, 12, 0, 0, 0, time.UTC).In(berlin)
	return status{
		Berlin:         noon.Format("2006-01-02T15:04:05-07:00 MST"),
		CACertificates: len(pool.Subjects()), //nolint:staticcheck // a file-based pool on Linux
	}, nil
}

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		s, err := current()
		if err != nil {
			log.Printf("GET /: %v", err)
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(s)
		log.Printf("GET / 200")
	})
	srv := &http.Server{Addr: ":" + port, Handler: mux, ReadHeaderTimeout: 10 * time.Second}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() {
		if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
			log.Fatalf("listen on :%s: %v", port, err)
		}
	}()
	log.Printf("listening on :%s", port)
	<-ctx.Done()
	log.Printf("stopping")
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		log.Fatalf("shutdown: %v", err)
	}
}
