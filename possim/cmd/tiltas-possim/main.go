// Command tiltas-possim behaves like a shop's cash registers writing into a POS database.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"tiltas/possim"
)

func main() {
	dsn := flag.String("dsn", "root@tcp(127.0.0.1:3306)/tiltas_pos", "POS database (go-sql-driver DSN); created if missing")
	var o possim.Options
	flag.IntVar(&o.Registers, "registers", 2, "cash registers selling at once")
	flag.IntVar(&o.Receipts, "receipts", 100, "receipts to write in all (0: until interrupted)")
	flag.Float64Var(&o.Rate, "rate", 0, "receipts per second over all registers (0: as fast as possible)")
	flag.BoolVar(&o.CloseDay, "close-day", false, "close every register's day (Z report) at the end")
	flag.IntVar(&o.DayEvery, "day-every", 0, "also close a register's day after this many of its receipts (0: never)")
	flag.Uint64Var(&o.Seed, "seed", 1, "random seed")
	flag.StringVar(&o.Profile, "profile", possim.ProfileReference, "POS schema to sell into: reference (testdata/pos/schema.sql) or unicenta (uniCenta oPOS 4.5)")
	flag.Parse()

	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	db, err := possim.OpenDB(ctx, *dsn)
	if err != nil {
		log.Error("open POS database", "err", err)
		os.Exit(1)
	}
	defer db.Close()
	st, err := possim.Run(ctx, db, o, log)
	if err != nil && ctx.Err() == nil {
		log.Error("selling stopped", "err", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %d receipts, %d day closes, total %s\n", st.Receipts, st.DayCloses, st.Total.StringFixed(2))
}
