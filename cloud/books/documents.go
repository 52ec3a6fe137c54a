package books

import (
	"context"

	"tiltas/cloud/db"
	"tiltas/cloud/posting"
)

// book stores a document: numbered in its operation type's series and, when the books are
// closed up to its day, dated on the first open day with its entry saying so.
func book(ctx context.Context, tx Tx, set posting.Settings, n db.NewDoc) (int64, error) {
	n.Series = set.Op(n.Doc.Op).Series
	if n.Series == "" {
		return 0, posting.Refuse(posting.CodeNoSeries, "operation type %q has no document series: add it in the settings", n.Doc.Op)
	}
	if date, note := set.BookingDate(n.Doc.Date); note != "" {
		n.Doc.Date = date
		n.Doc.Entry.Memo += " (" + note + ")"
	}
	if err := n.Doc.Entry.Check(); err != nil {
		return 0, posting.Refuse(posting.CodeBadEntry, "journal entry refused: %v", err)
	}
	return tx.InsertDoc(ctx, n)
}
