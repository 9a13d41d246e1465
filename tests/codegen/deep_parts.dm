# An entry of more than 64 executed nodes is split into parts, internal
# functions the entry calls in turn (cg_entry.c, "parts"; issue 17).  This
# stack of 20 layers has entries of hundreds of nodes: difftest compares
# every tensor after every entry with the interpreter, also with labels out
# of range (checked in the first part: the entry returns DM_ERANGE and
# changes nothing) and special values; tests/codegen/parts.test.sh checks
# that the parts exist.
model deep_parts {
  input x : f32[5, 7]
  input y : i32[5]
  h = x
  for i in range(20) {
    h = tanh(Dense(h, 7)) + 0.5 * h
  }
  logits = Dense(h, 3)
  output p = softmax(logits)
  loss softmax_cross_entropy(logits, y)
  optimizer adam(lr = 0.01)
}
