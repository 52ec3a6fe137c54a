package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"tiltas/possim"
)

func agentCmd(t *testing.T, e *env, conf string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir, "tiltas-agent"), append(args, "--config", conf)...)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), code
}

func wantLines(t *testing.T, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

// status and doctor against a real running agent, then doctor with a wrong token, a
// read-only POS user and a cloud that is not there; SIGTERM stops the agent within 5 s.
func TestStatusAndDoctor(t *testing.T) {
	e := newEnv(t, "sqlite")
	e.cloudInProcess()
	agent := e.agentProc()
	e.sell(context.Background(), possim.Options{Registers: 1, Receipts: 50, Seed: 3})
	e.waitEqual(time.Minute)
	time.Sleep(2500 * time.Millisecond) // the status file is written every 2 s

	out, code := agentCmd(t, e, e.agentConf, "status")
	if code != 0 {
		t.Fatalf("status exit %d:\n%s", code, out)
	}
	wantLines(t, out, "agent:            running, pid", "cloud link:       connected", "outbox backlog:   0 items", "quarantined:      0 items", "last error:       none")
	if strings.Contains(out, "last upload:      never") || strings.Contains(out, "last POS read:    never") {
		t.Errorf("status says nothing happened:\n%s", out)
	}

	out, code = agentCmd(t, e, e.agentConf, "doctor")
	if code != 0 {
		t.Fatalf("doctor failed on a healthy agent (exit %d):\n%s", code, out)
	}
	wantLines(t, out, "OK    config", "OK    data dir", "OK    pos ", "OK    pos read", "OK    pos write", "OK    cloud", "OK    clock", "OK    token")

	// A wrong token.
	bad := filepath.Join(e.dir, "bad-token.toml")
	writeVariant(t, e.agentConf, bad, e.agentToken, "tag_wrong")
	out, code = agentCmd(t, e, bad, "doctor")
	if code != 1 {
		t.Fatalf("doctor exit %d with a wrong token", code)
	}
	wantLines(t, out, "FAIL  token", "fix: enroll again")

	// A POS user that may only read: product cards cannot be written.
	cfg, _ := mysql.ParseDSN(e.posDSN)
	ro := fmt.Sprintf("ro%d", time.Now().UnixNano()%1e9)
	for _, q := range []string{
		fmt.Sprintf("CREATE USER '%s'@'%%' IDENTIFIED BY 'pw'", ro),
		fmt.Sprintf("GRANT SELECT ON `%s`.* TO '%s'@'%%'", cfg.DBName, ro),
	} {
		if _, err := e.pos.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { e.pos.Exec(fmt.Sprintf("DROP USER '%s'@'%%'", ro)) })
	roCfg := *cfg
	roCfg.User, roCfg.Passwd = ro, "pw"
	roConf := filepath.Join(e.dir, "readonly.toml")
	writeVariant(t, e.agentConf, roConf, e.posDSN, roCfg.FormatDSN())
	out, code = agentCmd(t, e, roConf, "doctor")
	if code != 1 {
		t.Fatalf("doctor exit %d with a read-only POS user:\n%s", code, out)
	}
	wantLines(t, out, "OK    pos read", "FAIL  pos write", "GRANT INSERT, UPDATE ON `"+cfg.DBName+"`.`items` TO '"+ro+"'")

	// No cloud at that address.
	gone := filepath.Join(e.dir, "no-cloud.toml")
	writeVariant(t, e.agentConf, gone, e.addr, freeAddr(t))
	out, code = agentCmd(t, e, gone, "doctor")
	if code != 1 {
		t.Fatalf("doctor exit %d without a cloud", code)
	}
	wantLines(t, out, "FAIL  cloud", "cannot reach")

	// SIGTERM: the agent stops within 5 s and says so.
	start := time.Now()
	_ = agent.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- agent.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("agent exited with %v on SIGTERM", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("agent did not stop within 5 s of SIGTERM")
	}
	t.Logf("stopped in %s", time.Since(start).Round(time.Millisecond))
	out, _ = agentCmd(t, e, e.agentConf, "status")
	wantLines(t, out, "agent:            stopped at", "cloud link:       not connected")
}

func writeVariant(t *testing.T, from, to, old, new string) {
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s does not contain %q", from, old)
	}
	if err := os.WriteFile(to, []byte(strings.ReplaceAll(string(b), old, new)), 0o600); err != nil {
		t.Fatal(err)
	}
}

// A profile that does not fit the POS database (a column it lacks, or the reference profile on
// a uniCenta database): doctor fails naming the query, and run refuses to start, saying why.
func TestRunRefusesAProfileThatDoesNotFit(t *testing.T) {
	e := newEnvOn(t, "sqlite", possim.ProfileUnicenta)
	e.cloudInProcess()
	for _, tc := range []struct {
		name, profile string
		want          []string
	}{
		{"a wrong column", "mine.toml", []string{"receipts.lines: Unknown column 'l.unitz'", "correct receipts.lines.sql in the profile ("}},
		{"another POS's profile", "reference", []string{"receipts.scan: Unknown column 'closed_at'", "the shipped reference profile does not fit this database"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text, err := os.ReadFile("../agent/profile/unicenta.toml")
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(e.dir, "mine.toml"), []byte(strings.Replace(string(text), "l.units AS quantity", "l.unitz AS quantity", 1)), 0o600); err != nil {
				t.Fatal(err)
			}
			conf := filepath.Join(e.dir, "bad.toml")
			body, _ := os.ReadFile(e.agentConf)
			if err := os.WriteFile(conf, []byte(strings.Replace(string(body), `profile = "unicenta"`, fmt.Sprintf("profile = %q", tc.profile), 1)), 0o600); err != nil {
				t.Fatal(err)
			}
			out, code := agentCmd(t, e, conf, "doctor")
			if code == 0 {
				t.Fatalf("doctor passed:\n%s", out)
			}
			wantLines(t, out, tc.want...)
			cmd := exec.Command(filepath.Join(binDir, "tiltas-agent"), "run", "--config", conf)
			cmd.Dir = e.dir
			done := make(chan error, 1)
			var buf strings.Builder
			cmd.Stdout, cmd.Stderr = &buf, &buf
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err == nil {
					t.Fatalf("run exited 0:\n%s", buf.String())
				}
			case <-time.After(30 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatalf("run started with a profile that does not fit:\n%s", buf.String())
			}
			wantLines(t, buf.String(), append([]string{"does not fit the POS database"}, tc.want[0])...)
		})
	}
}
