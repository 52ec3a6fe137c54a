package svc

// Well-known SIDs, the same on every Windows whatever its language: LocalSystem (the service's
// account) and the local Administrators group.
const (
	sidSystem         = "*S-1-5-18"
	sidAdministrators = "*S-1-5-32-544"
)

// ProtectConfigArgs are the icacls arguments that leave the config (it holds the agent token
// and the POS password) readable only by the service's account and administrators: inherited
// entries (such as Users: read, from Program Files) are removed, and those two get full control.
func ProtectConfigArgs(path string) []string {
	return []string{path, "/inheritance:r", "/grant:r", sidSystem + ":(F)", "/grant:r", sidAdministrators + ":(F)"}
}
