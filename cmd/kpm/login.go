package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/kpm-dev/kpm/commands"
	"github.com/kpm-dev/kpm/internal/redact"
)

func newLoginCmd(a *app) *cobra.Command {
	var username, password string
	var passwordStdin bool
	cmd := &cobra.Command{
		Use:   "login [-u USER] [-p PASS | --password-stdin] REGISTRY",
		Short: "Log in to an OCI registry",
		Long: `Check credentials against REGISTRY (host[:port]) and store them in
$KCL_PKG_PATH/.kpm/config/config.json (mode 0600).

Forms:
  kpm login -u USER -p PASS REGISTRY            (prints a warning: the password is visible in shell history)
  kpm login -u USER REGISTRY                    (prompts "Password:" without echo)
  kpm login REGISTRY                            (prompts "Username:" and "Password:")
  echo PASS | kpm login -u USER --password-stdin REGISTRY

Prompts need a terminal on stdin; without one and without a password, login fails instead of waiting.
REGISTRY is host[:port], without a scheme. Plain HTTP is used for localhost and loopback
addresses (or as OCI_REG_PLAIN_HTTP / DefaultOciPlainHttp in the settings file say).`,
		Example: `  echo 1234 | kpm login -u test --password-stdin localhost:5001
  kpm login -u test localhost:5001          prompts for the password
  kpm login ghcr.io                         prompts for both`,
		Args: argsRange(1, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			host := args[0]
			if scheme, rest, ok := strings.Cut(host, "://"); ok {
				return usagef("login: %s: drop the %s:// scheme: kpm login %s", host, scheme, strings.SplitN(rest, "/", 2)[0])
			}
			if password != "" && username == "" {
				return usagef("login: the user name is missing: a password (-p) goes with -u USER (kpm login -u USER -p PASS %s)", host)
			}
			if passwordStdin && password != "" {
				return usagef("login: --password and --password-stdin are mutually exclusive")
			}
			if passwordStdin && username == "" {
				return usagef("login: --password-stdin requires --username")
			}
			if password != "" {
				a.Warn("using --password on the command line is insecure: it may stay visible in your shell history and process list; use --password-stdin")
			}
			if passwordStdin {
				p, err := readPasswordStdin(a.stdin)
				if err != nil {
					return fmt.Errorf("login %s: %w", host, err)
				}
				password = p
			}
			if username == "" || password == "" {
				var err error
				username, password, err = promptCredentials(a, host, username, password)
				if err != nil {
					return err
				}
			}
			redact.Secret(password) // whatever fails from here on never prints it
			s, err := a.Settings()
			if err != nil {
				return err
			}
			res, err := commands.Login(cmd.Context(), commands.LoginOptions{
				Settings:              s,
				InsecureSkipTLSVerify: a.insecure,
				Progress:              a.Progress(),
				Registry:              host,
				Username:              username,
				Password:              password,
			})
			if err != nil {
				return err
			}
			a.Println(res.Message)
			return nil
		},
	}
	cmd.Flags().StringVarP(&username, "username", "u", "", "registry user name")
	cmd.Flags().StringVarP(&password, "password", "p", "", "registry password (visible in shell history; prefer --password-stdin)")
	cmd.Flags().BoolVar(&passwordStdin, "password-stdin", false, "read the password from stdin")
	return cmd
}

// readPasswordStdin reads the whole of stdin and drops one trailing newline.
func readPasswordStdin(r io.Reader) (string, error) {
	data, err := io.ReadAll(io.LimitReader(r, 64<<10))
	if err != nil {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	p := strings.TrimSuffix(strings.TrimSuffix(string(data), "\n"), "\r")
	if p == "" {
		return "", errors.New("--password-stdin: stdin is empty")
	}
	return p, nil
}

// promptCredentials asks for the missing user name and password on the terminal.
func promptCredentials(a *app, host, username, password string) (string, string, error) {
	f, ok := a.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		missing := "password"
		if username == "" {
			missing = "user name and password"
		}
		return "", "", fmt.Errorf("login %s: no %s given and stdin is not a terminal; use -u USER with --password-stdin or -p", host, missing)
	}
	if username == "" {
		fmt.Fprint(a.stderr, "Username: ")
		u, err := readLine(f)
		if err != nil {
			return "", "", fmt.Errorf("login %s: read user name: %w", host, err)
		}
		username = strings.TrimSpace(u)
		if username == "" {
			return "", "", fmt.Errorf("login %s: empty user name", host)
		}
	}
	if password == "" {
		fmt.Fprint(a.stderr, "Password: ")
		p, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(a.stderr)
		if err != nil {
			return "", "", fmt.Errorf("login %s: read password: %w", host, err)
		}
		password = string(p)
		if password == "" {
			return "", "", fmt.Errorf("login %s: empty password", host)
		}
	}
	return username, password, nil
}

// readLine reads one line byte by byte, so nothing after the newline is consumed.
func readLine(r io.Reader) (string, error) {
	var sb strings.Builder
	b := make([]byte, 1)
	for {
		n, err := r.Read(b)
		if n == 1 {
			if b[0] == '\n' {
				return strings.TrimSuffix(sb.String(), "\r"), nil
			}
			sb.WriteByte(b[0])
			if sb.Len() > 4096 {
				return "", errors.New("line too long")
			}
		}
		if err == io.EOF {
			if sb.Len() > 0 {
				return sb.String(), nil
			}
			return "", errors.New("end of input")
		}
		if err != nil {
			return "", err
		}
	}
}
