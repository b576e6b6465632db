-- goto to a label in a nested block is not visible
do
  goto inner
end
do
  ::inner::
  print("x")
end
