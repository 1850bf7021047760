// Package registry talks to OCI registries on behalf of kpm.
//
// It owns: parsing package references (oci:// URLs and name[:version]),
// building oras-go clients (plain HTTP for loopback hosts, TLS, retries with
// backoff, credentials that are re-read on a 401), the Docker-style
// credentials file (login verifies before storing, logout), packing a package
// directory into the kpm OCI artifact and pushing it, pulling and safely
// unpacking packages (digest and checksum verification, legacy and foreign
// layouts), tag listing and manifest metadata, and the package checksum.
//
// It must not: read kcl.mod, kpm.json or the environment's kpm settings
// (callers pass plain values), import workspace or commands, print anything,
// or put credentials or raw HTTP bodies into errors. Errors wrap the
// sentinel values in errors.go so front ends can render them with
// errors.Is.
package registry
