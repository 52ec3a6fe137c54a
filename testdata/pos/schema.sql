-- A Raso-style POS back-office schema (MySQL/MariaDB), modelled on what fiscal POS back offices
-- keep (uniCenta/Openbravo POS: closedcash, receipts, ticketlines, payments, products).
-- Registers write a receipt inside a transaction: it is inserted 'open', lines and payments are
-- added, then it is set 'closed' with closed_at. Tiltas reads only closed rows.
-- A return has negative quantities, totals and payments. Amounts include VAT.
-- Columns are nullable where legacy back offices leave them so; the agent reports such rows.

CREATE TABLE IF NOT EXISTS registers (
  id          INT          NOT NULL AUTO_INCREMENT PRIMARY KEY,
  code        VARCHAR(20)  NOT NULL UNIQUE,
  name        VARCHAR(80)  NOT NULL,
  fiscal_no   VARCHAR(40)  NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- A cash session ends with a day close (Z report).
CREATE TABLE IF NOT EXISTS cash_sessions (
  id             BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
  register_id    INT           NOT NULL,
  z_number       INT           NULL,
  opened_at      DATETIME(3)   NOT NULL,
  closed_at      DATETIME(3)   NULL,
  status         ENUM('open','closed') NOT NULL DEFAULT 'open',
  receipts_count INT           NULL,
  total          DECIMAL(14,2) NULL,
  rounding       DECIMAL(14,2) NULL,
  KEY ix_sessions_closed (status, closed_at),
  CONSTRAINT fk_sessions_register FOREIGN KEY (register_id) REFERENCES registers(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Z totals per VAT rate.
CREATE TABLE IF NOT EXISTS session_vat_totals (
  session_id  BIGINT        NOT NULL,
  vat_rate    DECIMAL(5,2)  NOT NULL,
  net         DECIMAL(14,2) NOT NULL,
  vat         DECIMAL(14,2) NOT NULL,
  gross       DECIMAL(14,2) NOT NULL,
  PRIMARY KEY (session_id, vat_rate),
  CONSTRAINT fk_svt_session FOREIGN KEY (session_id) REFERENCES cash_sessions(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Z totals per payment type.
CREATE TABLE IF NOT EXISTS session_payment_totals (
  session_id    BIGINT        NOT NULL,
  payment_code  VARCHAR(20)   NOT NULL,
  amount        DECIMAL(14,2) NOT NULL,
  PRIMARY KEY (session_id, payment_code),
  CONSTRAINT fk_spt_session FOREIGN KEY (session_id) REFERENCES cash_sessions(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS receipts (
  id                   BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
  register_id          INT           NOT NULL,
  session_id           BIGINT        NOT NULL,
  number               VARCHAR(30)   NULL,
  type                 ENUM('sale','return','invoice') NOT NULL DEFAULT 'sale',
  status               ENUM('open','closed','cancelled') NOT NULL DEFAULT 'open',
  opened_at            DATETIME(3)   NOT NULL,
  closed_at            DATETIME(3)   NULL,
  cashier              VARCHAR(40)   NULL,
  buyer_code           VARCHAR(20)   NULL,   -- SF: company code
  buyer_vat_code       VARCHAR(20)   NULL,   -- SF: VAT payer code
  buyer_name           VARCHAR(120)  NULL,
  buyer_address        VARCHAR(200)  NULL,
  original_receipt_id  BIGINT        NULL,   -- a return's original sale
  total                DECIMAL(14,2) NULL,
  vat_total            DECIMAL(14,2) NULL,
  rounding             DECIMAL(14,2) NULL,
  KEY ix_receipts_closed (status, closed_at),
  KEY ix_receipts_session (session_id),
  CONSTRAINT fk_receipts_register FOREIGN KEY (register_id) REFERENCES registers(id),
  CONSTRAINT fk_receipts_session FOREIGN KEY (session_id) REFERENCES cash_sessions(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS receipt_lines (
  receipt_id  BIGINT         NOT NULL,
  line_no     INT            NOT NULL,
  barcode     VARCHAR(40)    NULL,
  name        VARCHAR(80)    NULL,
  unit        VARCHAR(10)    NULL,
  quantity    DECIMAL(12,3)  NULL,
  unit_price  DECIMAL(14,2)  NULL,   -- with VAT
  discount    DECIMAL(14,2)  NULL,
  vat_rate    DECIMAL(5,2)   NULL,
  line_total  DECIMAL(14,2)  NULL,   -- quantity * unit_price - discount, with VAT
  vat_amount  DECIMAL(14,2)  NULL,
  PRIMARY KEY (receipt_id, line_no),
  CONSTRAINT fk_lines_receipt FOREIGN KEY (receipt_id) REFERENCES receipts(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS payments (
  receipt_id    BIGINT        NOT NULL,
  line_no       INT           NOT NULL,
  payment_code  VARCHAR(20)   NULL,   -- CASH, CARD, VOUCHER, ...
  amount        DECIMAL(14,2) NULL,
  PRIMARY KEY (receipt_id, line_no),
  CONSTRAINT fk_payments_receipt FOREIGN KEY (receipt_id) REFERENCES receipts(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Product cards. The cloud writes them through the agent; registers read them.
CREATE TABLE IF NOT EXISTS items (
  id           BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
  barcode      VARCHAR(40)   NOT NULL UNIQUE,
  name         VARCHAR(80)   NOT NULL,
  unit         VARCHAR(10)   NOT NULL DEFAULT 'vnt.',
  price_net    DECIMAL(14,2) NOT NULL,
  price_gross  DECIMAL(14,2) NOT NULL,
  vat_rate     DECIMAL(5,2)  NOT NULL,
  group_name   VARCHAR(60)   NULL,
  is_service   TINYINT(1)    NOT NULL DEFAULT 0,
  active       TINYINT(1)    NOT NULL DEFAULT 1,
  updated_at   DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
