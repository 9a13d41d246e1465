# An autoencoder: tanh bottleneck, sigmoid reconstruction, mse against the
# input itself; the code is exported with `output NAME` of a binding.
model autoenc {
  const width = 20
  input x : f32[6, width]
  code = tanh(Dense(x, width / 5))
  recon = sigmoid(Dense(code, width))
  output code
  output recon
  loss mse(recon, x * 0.5 + 0.5)
  optimizer adamw(lr = 0.005)
}
