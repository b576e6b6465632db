-- numeric for with negative steps, float steps and loops that never run
for i = 5, 1, -1 do
  print("down", i)
end
for i = 10, 1, -3 do
  print("down3", i)
end
for i = 0, 1, 0.25 do
  print("quarter", i)
end
for i = 1, 0, 0.5 do
  print("never float")
end
for i = 1, 0 do
  print("never")
end
for i = 0, 3, -1 do
  print("never negative")
end
for i = 1.5, 3.5 do
  print("float start", i)
end
for i = -1, -3, -1 do
  print(i)
end
print("done")
