// Package version names this build of the cloud. Version is set at build time, as the agent's
// is (see the Makefile and scripts/dist.sh):
//
//	go build -ldflags '-X tiltas/cloud/version.Version=1.2.3' ./cloud/cmd/tiltas-cloud
//
// tiltas-cloud version prints it, and the files the cloud generates (i.SAF's SoftwareVersion)
// carry it.
package version

// Version is this build's version: a tag such as v1.2.3, or "dev" for a plain go build.
var Version = "dev"
