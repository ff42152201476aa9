-- The quantity of each order line that returns hold (every RMA not rejected, cancelled
-- or expired), kept on the line: RMA creation reads it with the line it locks instead
-- of summing the order's returns, and the sum no longer grows with them.
ALTER TABLE order_lines ADD COLUMN held_quantity BIGINT NOT NULL DEFAULT 0;
UPDATE order_lines SET held_quantity = COALESCE((
    SELECT SUM(rma_lines.quantity)
    FROM rma_lines JOIN rmas ON rmas.id = rma_lines.rma_id
    WHERE rmas.order_id = order_lines.order_id
      AND rma_lines.line_id = order_lines.line_id
      AND rmas.status NOT IN ('rejected', 'cancelled', 'expired')
), 0);
