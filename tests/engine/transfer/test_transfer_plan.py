"""Part count, split arithmetic, names and placement (filespray.md §6.2, §6.3, §6.4.7)."""
from wsservices.engine.dfu.transfer import (deal_whole_files, num_target_parts, part_mask, part_name,
                                            part_node, placement, replica_node, split_points,
                                            wrap_destination)


def test_split_points_are_multiples_of_part_size():
    # 100 records x 10 bytes on 3 nodes: partSize 333 (§6.4.1)
    assert split_points(1000, 3) == [333, 666]
    assert split_points(8, 2) == [4]                    # §6.4.2 example
    assert split_points(10, 1) == []


def test_split_points_when_total_smaller_than_parts():
    # partSize 0: points are (k*T) div N
    assert split_points(3, 5) == [0, 1, 1, 2]
    assert split_points(0, 3) == [0, 0]


def test_num_target_parts_rule():
    assert num_target_parts(4) == 4                     # width of the group
    assert num_target_parts(4, 7) == 7                  # destNumParts wins
    assert num_target_parts(4, plane_default_parts=2) == 2
    assert num_target_parts(4, 7, wrap=True, source_parts=3) == 3
    assert num_target_parts(0) == 1


def test_part_names_follow_the_mask():
    assert part_mask("People") == "people._$P$_of_$N$"
    assert [part_name("People", p, 3) for p in (1, 2, 3)] == \
        ["people._1_of_3", "people._2_of_3", "people._3_of_3"]
    assert part_name("x", 1, 1) == "x._1_of_1"          # INCLUDE_1_OF_1


def test_placement_is_round_robin_with_replica_on_next_node():
    nodes = ["n1", "n2", "n3"]
    assert [part_node(p, nodes) for p in range(5)] == ["n1", "n2", "n3", "n1", "n2"]
    assert replica_node(2, nodes) == "n1"
    assert replica_node(0, nodes, 2) == "n3"
    assert placement(3, nodes) == [("n1", "n2"), ("n2", "n3"), ("n3", "n1")]


def test_nosplit_dealing():
    assert deal_whole_files(1, 3) == [0]                # part 1 has it all, 2-3 empty
    assert deal_whole_files(5, 3) == [0, 0, 1, 1, 2]
    assert deal_whole_files(3, 3) == [0, 1, 2]
    assert deal_whole_files(4, 1) == [0, 0, 0, 0]
    assert deal_whole_files(0, 3) == []


def test_wrap_destination():
    assert wrap_destination("/lz/out.csv", 2, 4) == "/lz/out.csv._2_of_4"
    assert wrap_destination("/lz/out_$P$.csv", 2, 4) == "/lz/out_2.csv"
