// Package all registers every marketplace with cloud/market: a program that pulls, checks or
// books marketplace accounts imports it for its effect.
//
//	import _ "tiltas/cloud/market/all"
package all

import (
	_ "tiltas/cloud/market/allegro" // registers "allegro"
	_ "tiltas/cloud/market/amazon"  // registers "amazon"
)
