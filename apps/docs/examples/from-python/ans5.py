# ans5.py: Python's Ans5, for comparison. Run with `python3 ans5.py`.
from multiprocessing import Pool

def worker_function(arg):
    return arg ** 2

if __name__ == '__main__':
    with Pool(processes=4) as pool:
        results = pool.map(worker_function, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    print(results)

# Output:
# [1, 4, 9, 16, 25, 36, 49, 64, 81, 100]
